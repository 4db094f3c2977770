import type { Random } from './prng.ts';

/**
 * Common words for synthetic prose. Sentences are random word sequences with a capital
 * and a full stop: real words (so the OCR engine's dictionary behaves as on real text) in
 * meaningless order (so no text is copied from anywhere).
 */
const WORDS: Record<string, string[]> = {
  eng: (
    'the of and to in that is was for on are with as his they be at one have this from ' +
    'by hot word but what some we can out other were all there when up use your how said ' +
    'each she which their time will way about many then them write would like so these ' +
    'her long make thing see him two has look more day could go come did number sound ' +
    'most people over know water than call first who may down side been now find any ' +
    'new work part take get place made live where after back little only round man year ' +
    'came show every good give our under name very through just form sentence great ' +
    'think help low line differ turn cause much mean before move right boy old too same ' +
    'tell does set three want air well also play small end put home read hand port large ' +
    'spell add even land here must big high such follow act why ask change went light ' +
    'kind off need house picture try again animal point mother world near build self ' +
    'earth father head stand own page should country found answer school grow study still'
  ).split(' '),
  spa: (
    'de la que el en y a los se del las un por con no una su para es al lo como más pero ' +
    'sus le ya o este sí porque esta entre cuando muy sin sobre también me hasta hay ' +
    'donde quien desde todo nos durante todos uno les ni contra otros ese eso ante ellos ' +
    'esto antes algunos qué unos yo otro otras otra él tanto esa estos mucho quienes nada ' +
    'muchos cual poco ella estar estas algunas algo nosotros mi mis tú te ti tu tus ellas ' +
    'año años día días tiempo casa mundo vida ciudad trabajo gobierno país parte empresa ' +
    'información servicio cuenta pago factura banco cliente número proceso sistema ' +
    'documento página mañana noche semana mes historia camino agua tierra nación canción ' +
    'corazón razón opinión educación dirección atención solución después además así ' +
    'según través aquí allí también fácil difícil rápido último próximo público ' +
    'económico pequeño niño señor español montaña árbol lápiz jardín música médico ' +
    'teléfono'
  ).split(' '),
};

const TITLES: Record<string, string[]> = {
  eng: ['Annual Report', 'Meeting Notes', 'Project Summary', 'Field Study', 'Service Review'],
  spa: ['Informe Anual', 'Acta de Reunión', 'Resumen del Proyecto', 'Estudio de Campo'],
};

export function pageLanguageSupported(language: string): boolean {
  return language in WORDS;
}

function sentence(random: Random, words: string[]): string {
  const length = random.int(6, 16);
  const parts: string[] = [];
  for (let i = 0; i < length; i++) {
    let word = random.pick(words);
    if (i > 2 && i < length - 2 && random.next() < 0.08) word += ',';
    if (random.next() < 0.03) word = String(random.int(2, 2025));
    parts.push(word);
  }
  const first = parts[0] ?? '';
  parts[0] = first.charAt(0).toLocaleUpperCase() + first.slice(1);
  return `${parts.join(' ')}.`;
}

/**
 * A title and enough paragraphs to overfill an A4 page at any font size we use; the
 * layout keeps the lines that fit.
 */
export function pageParagraphs(random: Random, language: string): string[] {
  const words = WORDS[language] ?? WORDS.eng ?? [];
  const titles = TITLES[language] ?? TITLES.eng ?? [];
  const paragraphs = [`${random.pick(titles)} ${random.int(2023, 2025)}`];
  let characters = 0;
  while (characters < 6000) {
    const sentences = Array.from({ length: random.int(3, 6) }, () => sentence(random, words));
    const paragraph = sentences.join(' ');
    characters += paragraph.length;
    paragraphs.push(paragraph);
  }
  return paragraphs;
}
