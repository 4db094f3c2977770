import { distance } from 'fastest-levenshtein';
import { normaliseText, type NormaliseOptions } from './normalise.ts';

export interface CharacterErrorRate {
  /** edits / referenceChars; 0 when both texts are empty, 1 per character when only the
   * reference is empty (see `rate`). */
  cer: number;
  /** Levenshtein distance in Unicode code points (insertions, deletions, substitutions). */
  edits: number;
  /** Code points in the normalised reference. */
  referenceChars: number;
}

export interface WordErrorRate {
  wer: number;
  /** Levenshtein distance counted in words. */
  edits: number;
  /** Words in the normalised reference. */
  referenceWords: number;
}

/**
 * Error rate with an empty reference: nothing expected and nothing read is perfect (0);
 * anything read counts as fully wrong (1), so the rate stays finite and comparable.
 */
function rate(edits: number, referenceLength: number): number {
  if (referenceLength === 0) return edits === 0 ? 0 : 1;
  return edits / referenceLength;
}

/**
 * fastest-levenshtein compares UTF-16 code units. Texts outside the Basic Multilingual
 * Plane (emoji, some CJK) are mapped to one private code unit per code point first, so a
 * surrogate pair counts as one character.
 */
function toCodeUnits(texts: string[]): string[] {
  if (!texts.some((text) => /[\uD800-\uDFFF]/.test(text))) return texts;
  return mapTokens(texts.map((text) => [...text]));
}

/**
 * Maps each distinct token (character or word) to one UTF-16 code unit, so a string edit
 * distance counts token edits. Codes start at U+0100; more than ~63,000 distinct tokens in
 * one pair of texts would overflow and is refused.
 */
function mapTokens(sequences: string[][]): string[] {
  const codes = new Map<string, string>();
  return sequences.map((tokens) =>
    tokens
      .map((token) => {
        let code = codes.get(token);
        if (code === undefined) {
          const next = 0x100 + codes.size;
          // Skip the surrogate range: lone surrogates would be valid here but confuse readers.
          const unit = next >= 0xd800 ? next + 0x800 : next;
          if (unit > 0xffff) throw new RangeError('more than 63,000 distinct tokens');
          code = String.fromCharCode(unit);
          codes.set(token, code);
        }
        return code;
      })
      .join(''),
  );
}

/** Character error rate of `hypothesis` (what the OCR read) against `reference` (truth). */
export function characterErrorRate(
  reference: string,
  hypothesis: string,
  options: Partial<NormaliseOptions> = {},
): CharacterErrorRate {
  const [ref, hyp] = toCodeUnits([
    normaliseText(reference, options),
    normaliseText(hypothesis, options),
  ]) as [string, string];
  const edits = distance(ref, hyp);
  return { cer: rate(edits, ref.length), edits, referenceChars: ref.length };
}

/** Splits a normalised text into words (whitespace separated; punctuation stays attached). */
function words(text: string, options: Partial<NormaliseOptions>): string[] {
  const normalised = normaliseText(text, options);
  return normalised === '' ? [] : normalised.split(' ');
}

/** Word error rate: word-level Levenshtein distance / reference words. */
export function wordErrorRate(
  reference: string,
  hypothesis: string,
  options: Partial<NormaliseOptions> = {},
): WordErrorRate {
  const referenceWords = words(reference, options);
  const [ref, hyp] = mapTokens([referenceWords, words(hypothesis, options)]) as [string, string];
  const edits = distance(ref, hyp);
  return { wer: rate(edits, referenceWords.length), edits, referenceWords: referenceWords.length };
}
