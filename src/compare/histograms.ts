import type { Histogram } from 'hdr-histogram-js';
import { mergeEncoded } from '../record/histogram.ts';
import type { RunFile, StageName } from '../record/run-file.ts';

/** One side's latency distribution of a stage: every trial's histogram merged (µs). */
export function mergedStageHistogram(run: RunFile, stage: StageName): Histogram {
  const encoded: string[] = [];
  for (const trial of run.trials) {
    const stats = trial.stages[stage];
    if (stats?.histogram) encoded.push(stats.histogram);
  }
  return mergeEncoded(encoded);
}
