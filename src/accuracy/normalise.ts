/** How texts are made comparable before counting edits. */
export interface NormaliseOptions {
  /**
   * Compare case-insensitively (both texts lower-cased with `toLocaleLowerCase('und')`).
   * @default false
   */
  ignoreCase: boolean;
}

export const NORMALISE_DEFAULTS: NormaliseOptions = { ignoreCase: false };

/**
 * The one normalisation behind every error rate (docs/datasets.md):
 * 1. Unicode NFC, so a precomposed "ñ" equals "n" + combining tilde;
 * 2. every run of whitespace (spaces, tabs, line and page breaks) becomes one space,
 *    because OCR engines disagree on line breaks and indentation, not on the text;
 * 3. leading and trailing whitespace removed;
 * 4. optionally lower case.
 * Punctuation and accents are kept: a lost accent is a real error in Spanish.
 */
export function normaliseText(text: string, options: Partial<NormaliseOptions> = {}): string {
  const { ignoreCase } = { ...NORMALISE_DEFAULTS, ...options };
  const collapsed = text.normalize('NFC').replace(/\s+/gu, ' ').trim();
  return ignoreCase ? collapsed.toLocaleLowerCase('und') : collapsed;
}
