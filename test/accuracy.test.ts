import { describe, expect, it } from 'vitest';
import {
  characterErrorRate,
  normaliseText,
  summariseAccuracy,
  wordErrorRate,
} from '../src/accuracy/index.ts';

describe('normaliseText', () => {
  it('applies NFC, collapses whitespace runs and trims', () => {
    expect(normaliseText('  Pago\n\n de\tla  factura \f')).toBe('Pago de la factura');
    expect(normaliseText('an\u0303o')).toBe('año');
  });

  it('is case-sensitive unless asked', () => {
    expect(normaliseText('Banco SUR')).toBe('Banco SUR');
    expect(normaliseText('Banco SUR', { ignoreCase: true })).toBe('banco sur');
  });
});

describe('characterErrorRate', () => {
  it('counts kitten -> sitting as 3 edits of 6', () => {
    expect(characterErrorRate('kitten', 'sitting')).toEqual({
      cer: 0.5,
      edits: 3,
      referenceChars: 6,
    });
  });

  it('ignores whitespace layout and counts case unless told not to', () => {
    expect(characterErrorRate('Total:\n 12,50 EUR', 'Total: 12,50 EUR').edits).toBe(0);
    expect(characterErrorRate('ABC', 'abc').edits).toBe(3);
    expect(characterErrorRate('ABC', 'abc', { ignoreCase: true }).edits).toBe(0);
  });

  it('handles empty texts without dividing by zero', () => {
    expect(characterErrorRate('', '')).toEqual({ cer: 0, edits: 0, referenceChars: 0 });
    expect(characterErrorRate('', 'xy')).toEqual({ cer: 1, edits: 2, referenceChars: 0 });
    expect(characterErrorRate('abcd', '')).toEqual({ cer: 1, edits: 4, referenceChars: 4 });
  });

  it('counts a character outside the BMP as one', () => {
    const rate = characterErrorRate('a😀b', 'a😃b');
    expect(rate).toEqual({ cer: 1 / 3, edits: 1, referenceChars: 3 });
  });
});

describe('wordErrorRate', () => {
  it('counts word substitutions, insertions and deletions', () => {
    expect(wordErrorRate('el pago fue aprobado', 'el pago fue rechazado')).toEqual({
      wer: 0.25,
      edits: 1,
      referenceWords: 4,
    });
    expect(wordErrorRate('uno dos tres', 'uno tres').edits).toBe(1);
    expect(wordErrorRate('uno dos', 'uno dos tres cuatro').edits).toBe(2);
  });

  it('handles empty references', () => {
    expect(wordErrorRate('', '')).toEqual({ wer: 0, edits: 0, referenceWords: 0 });
    expect(wordErrorRate(' ', 'hola')).toEqual({ wer: 1, edits: 1, referenceWords: 0 });
  });
});

describe('summariseAccuracy', () => {
  const job = (jobId: string, reference: string | null, hypothesis: string | null) => ({
    jobId,
    file: `${jobId}.png`,
    sizeClass: 'natural',
    reference,
    hypothesis,
  });

  it('pools edits over reference characters and lists the worst first', () => {
    const summary = summariseAccuracy([
      job('a', 'kitten', 'sitting'), // 3 char edits / 6, 1 word edit / 1
      job('b', 'hola mundo', 'hola mundo'), // perfect
      job('c', 'abcd', null), // empty result: 4 / 4
      job('d', null, 'texto sin verdad'),
      job('e', null, ''),
    ]);
    expect(summary.jobsChecked).toBe(3);
    expect(summary.jobsWithoutTruth).toBe(2);
    expect(summary.emptyResults).toBe(2);
    expect(summary.characterEdits).toBe(7);
    expect(summary.referenceChars).toBe(20);
    expect(summary.cer).toBeCloseTo(7 / 20, 12);
    expect(summary.wordEdits).toBe(2);
    expect(summary.referenceWords).toBe(4);
    expect(summary.wer).toBe(0.5);
    expect(summary.worst.map((w) => w.jobId)).toEqual(['c', 'a']);
    expect(summary.worst[0]).toEqual({
      jobId: 'c',
      file: 'c.png',
      sizeClass: 'natural',
      cer: 1,
      wer: 1,
      expectedChars: 4,
      recognisedChars: 0,
    });
  });

  it('keeps only the requested number of worst jobs', () => {
    const jobs = Array.from({ length: 5 }, (_, i) => job(`j${i}`, 'abcde', 'abcde'.slice(i)));
    const summary = summariseAccuracy(jobs, 2);
    expect(summary.worst.map((w) => w.jobId)).toEqual(['j4', 'j3']);
  });

  it('gives zero rates when nothing could be checked', () => {
    const summary = summariseAccuracy([job('x', null, 'algo')]);
    expect(summary).toMatchObject({ cer: 0, wer: 0, jobsChecked: 0, worst: [] });
  });
});
