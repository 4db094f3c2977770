/**
 * Accuracy of recognised text against ground truth: one normalisation, character and word
 * error rates (Levenshtein via fastest-levenshtein), and the per-run summary.
 */
export { normaliseText, NORMALISE_DEFAULTS, type NormaliseOptions } from './normalise.ts';
export {
  characterErrorRate,
  wordErrorRate,
  type CharacterErrorRate,
  type WordErrorRate,
} from './error-rates.ts';
export { summariseAccuracy, WORST_JOBS_DEFAULT, type AccuracyJob } from './summary.ts';
