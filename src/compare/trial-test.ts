import type { MetricKind } from './metrics.ts';
import { mannWhitneyPValue, type Alternative } from './rank-test.ts';
import { logWelchPValue } from './t-test.ts';

/**
 * Which test a metric's trial values get, in compare and in the gate alike:
 *
 * - ratio metrics (latency percentiles, throughput) with fewer than `rankTestMinTrials`
 *   trials on a side: Welch's t-test on the logarithms of the trial values. The exact rank
 *   test cannot reach small p-values there (3 vs 3: one-sided p >= 0.05), the t-test can
 *   when the trials agree; bench/gate-false-alarms.ts measures that it keeps A/A false
 *   alarms under alpha with drifting trials;
 * - with that many trials or more, and for rates (error, lost, timed-out: often 0, so no
 *   logarithm): the exact Mann-Whitney rank test, which needs no normality and is not moved
 *   by one odd trial, and has the resolution to reach small p-values at 6+ trials per side.
 */
export type TrialTest = 'welchLogT' | 'mannWhitney';

export function trialTest(
  kind: MetricKind,
  baseline: readonly number[],
  candidate: readonly number[],
  alternative: Alternative,
  rankTestMinTrials: number,
): { test: TrialTest; pValue: number } {
  const few = Math.min(baseline.length, candidate.length) < rankTestMinTrials;
  if (kind === 'ratio' && few) {
    const p = logWelchPValue(baseline, candidate, alternative);
    if (p !== null) return { test: 'welchLogT', pValue: p };
  }
  return { test: 'mannWhitney', pValue: mannWhitneyPValue(baseline, candidate, alternative) };
}
