import type { Random } from './prng.ts';

// Every name, bank, number and phone below is generated: banks are invented, people are
// random pairings of common given names and surnames, so no real person's data appears.
const BANKS = [
  'Banco Meridiano',
  'Banco del Valle Alto',
  'Caja Solana',
  'Banco Cordillera',
  'Financiera Albor',
  'Banco Puerto Claro',
  'Caja Horizonte',
];
const GIVEN = [
  'María',
  'José',
  'Lucía',
  'Carlos',
  'Ana',
  'Javier',
  'Carmen',
  'Andrés',
  'Sofía',
  'Miguel',
  'Elena',
  'Raúl',
  'Isabel',
  'Tomás',
  'Paula',
  'Sergio',
  'Inés',
  'Álvaro',
];
const SURNAMES = [
  'García',
  'Fernández',
  'López',
  'Martínez',
  'Sánchez',
  'Pérez',
  'Gómez',
  'Ruiz',
  'Díaz',
  'Moreno',
  'Muñoz',
  'Álvarez',
  'Romero',
  'Navarro',
  'Torres',
  'Domínguez',
];
const COMPANIES = [
  'Comercial Ríos S.L.',
  'Suministros Norte S.A.',
  'Electricidad Vega',
  'Papelería Central',
  'Taller Hermanos Gil',
  'Clínica Dental Sonrisa',
  'Academia Nuevo Rumbo',
];
const OPERATIONS = [
  'COMPROBANTE DE TRANSFERENCIA',
  'COMPROBANTE DE PAGO',
  'RECIBO DE PAGO DE SERVICIOS',
  'JUSTIFICANTE DE DEPÓSITO',
];
const CONCEPTS = [
  'Pago de factura',
  'Cuota mensual',
  'Alquiler de local',
  'Servicio de mantenimiento',
  'Compra de material',
  'Matrícula del curso',
];
const STATUS = ['Aprobado', 'Completado', 'Procesado'];

const pad = (value: number, width: number) => String(value).padStart(width, '0');

function digits(random: Random, count: number): string {
  let text = String(random.int(1, 9));
  while (text.length < count) text += String(random.int(0, 9));
  return text;
}

/** Spanish amount with thousands dot and decimal comma, e.g. `1.234,56 EUR`. */
export function formatAmount(cents: number): string {
  const euros = Math.floor(cents / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  return `${euros},${pad(cents % 100, 2)} EUR`;
}

function person(random: Random): string {
  return `${random.pick(GIVEN)} ${random.pick(SURNAMES)} ${random.pick(SURNAMES)}`;
}

/**
 * The text lines of one synthetic Spanish payment receipt. Dates fall in 2023-2025 and
 * are drawn from the PRNG, never from the clock.
 */
export function receiptLines(random: Random): string[] {
  const day = random.int(1, 28);
  const month = random.int(1, 12);
  const year = random.int(2023, 2025);
  const time = `${pad(random.int(7, 21), 2)}:${pad(random.int(0, 59), 2)}`;
  const cents = random.int(150, 950_000);
  const fee = random.next() < 0.6 ? 0 : random.int(50, 350);
  const payee = random.next() < 0.6 ? random.pick(COMPANIES) : person(random);
  const lines = [
    random.pick(OPERATIONS),
    random.pick(BANKS),
    `Fecha: ${pad(day, 2)}/${pad(month, 2)}/${year}  Hora: ${time}`,
    `Referencia: ${digits(random, 10)}`,
    `Ordenante: ${person(random)}`,
    `Documento: ${digits(random, 8)}${random.pick([...'ABCDEFGHJKLMNPQRSTVWXYZ'])}`,
    `Beneficiario: ${payee}`,
    `Cuenta destino: terminada en ${digits(random, 4)}`,
    `Concepto: ${random.pick(CONCEPTS)} ${year}-${pad(random.int(1, 9999), 4)}`,
    `Importe: ${formatAmount(cents)}`,
    `Comisión: ${formatAmount(fee)}`,
    `Total: ${formatAmount(cents + fee)}`,
    `Teléfono de contacto: 6${digits(random, 2)} ${digits(random, 3)} ${digits(random, 3)}`,
    `Estado: ${random.pick(STATUS)}`,
    'Gracias por utilizar nuestros servicios',
  ];
  return lines;
}
