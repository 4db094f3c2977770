import type { AccuracySummary, WorstJob } from '../record/run-file.ts';
import { characterErrorRate, wordErrorRate } from './error-rates.ts';
import { normaliseText } from './normalise.ts';

/** One completed job's text, as the summary needs it. */
export interface AccuracyJob {
  jobId: string;
  file: string;
  sizeClass: string;
  /** Ground truth from the manifest; null when the file has none (imported files). */
  reference: string | null;
  /** Text the service returned; null when it returned none. */
  hypothesis: string | null;
}

/** How many of the worst jobs a summary lists. @default 10 */
export const WORST_JOBS_DEFAULT = 10;

/**
 * Accuracy of a set of completed jobs:
 * - `cer` and `wer` pool all checked jobs (total edits / total reference characters or
 *   words), so a long page weighs more than a short receipt, and summaries of parts merge
 *   exactly from the totals;
 * - `emptyResults` counts jobs of any kind whose text is empty after normalisation;
 * - `worst` lists checked jobs with any error, highest CER first (ties: WER, then job id).
 */
export function summariseAccuracy(
  jobs: AccuracyJob[],
  worstCount = WORST_JOBS_DEFAULT,
): AccuracySummary {
  let characterEdits = 0;
  let referenceChars = 0;
  let wordEdits = 0;
  let referenceWords = 0;
  let jobsChecked = 0;
  let jobsWithoutTruth = 0;
  let emptyResults = 0;
  const scored: WorstJob[] = [];

  for (const job of jobs) {
    const hypothesis = job.hypothesis ?? '';
    const recognised = [...normaliseText(hypothesis)].length;
    if (recognised === 0) emptyResults += 1;
    if (job.reference === null) {
      jobsWithoutTruth += 1;
      continue;
    }
    jobsChecked += 1;
    const characters = characterErrorRate(job.reference, hypothesis);
    const wordsRate = wordErrorRate(job.reference, hypothesis);
    characterEdits += characters.edits;
    referenceChars += characters.referenceChars;
    wordEdits += wordsRate.edits;
    referenceWords += wordsRate.referenceWords;
    if (characters.edits > 0 || wordsRate.edits > 0) {
      scored.push({
        jobId: job.jobId,
        file: job.file,
        sizeClass: job.sizeClass,
        cer: characters.cer,
        wer: wordsRate.wer,
        expectedChars: characters.referenceChars,
        recognisedChars: recognised,
      });
    }
  }

  scored.sort((a, b) => b.cer - a.cer || b.wer - a.wer || a.jobId.localeCompare(b.jobId));
  return {
    cer: pooledRate(characterEdits, referenceChars),
    wer: pooledRate(wordEdits, referenceWords),
    jobsChecked,
    jobsWithoutTruth,
    emptyResults,
    worst: scored.slice(0, Math.max(0, worstCount)),
    characterEdits,
    referenceChars,
    wordEdits,
    referenceWords,
  };
}

/** Pooled rate; with nothing expected, any edit is a full error and none is perfect. */
function pooledRate(edits: number, reference: number): number {
  if (reference === 0) return edits === 0 ? 0 : 1;
  return edits / reference;
}
