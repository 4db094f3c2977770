import { caveatOrigin } from './compare-caveats.ts';
import type { Comparison, MetricComparison } from './comparison.ts';
import { smallestPValue } from './rank-test.ts';
import { trialTest, type TrialTest } from './trial-test.ts';

/**
 * The gate's one-sided question "did it get worse?", asked of a metric's trial values with
 * the test compare uses for it (src/compare/trial-test.ts): Welch's t-test on log trial
 * values for ratio metrics on few trials, the exact rank test otherwise.
 */
export function worseTest(
  metric: MetricComparison,
  lowerBetter: boolean,
  rankTestMinTrials: number,
): { test: TrialTest; pValue: number } | null {
  const b = metric.baseline.trialValues;
  const c = metric.candidate.trialValues;
  if (metric.basis !== 'trials' || b.length === 0 || c.length === 0) return null;
  return trialTest(metric.kind, b, c, lowerBetter ? 'greater' : 'less', rankTestMinTrials);
}

/**
 * The comparison's caveats minus its own power notes (they concern compare's two-sided
 * families), plus the gate's: can the rank-tested significance checks be significant at
 * all with these trial counts? (Welch's t-test has no such floor.)
 */
export function gateCaveats(
  comparison: Comparison,
  tests: Array<{ name: string; test: TrialTest | null }>,
  alpha: number,
  decisiveRatio: number,
): string[] {
  const nb = comparison.baseline.trials;
  const nc = comparison.candidate.trials;
  const result = comparison.caveats
    .filter((caveat) => caveat.code !== 'no-power')
    .map((caveat) => {
      const origin = caveatOrigin(caveat, { baseline: nb, candidate: nc }) ?? 'comparison';
      return `${origin}: ${caveat.message} (${caveat.code})`;
    });
  const checks = tests.length;
  const ranked = tests.filter((entry) => entry.test === 'mannWhitney');
  if (ranked.length > 0 && smallestPValue(nb, nc, 'greater') * checks >= alpha) {
    result.push(
      `gate: with ${nb} vs ${nc} trials no one-sided rank-test p-value can fall below ` +
        `${(alpha / checks).toPrecision(2)} (alpha ${alpha} over ${checks} checks), so ` +
        `${ranked.map((entry) => entry.name).join(', ')} can fail only on a decisive change ` +
        `(every trial beyond x${decisiveRatio}); run ${trialsNeeded(checks, alpha)} or more ` +
        'trials per side.',
    );
  }
  return result;
}

/** Fewest equal trial counts per side at which a one-sided rank test can pass Holm. */
function trialsNeeded(checks: number, alpha: number): number {
  let trials = 2;
  while (smallestPValue(trials, trials, 'greater') * checks >= alpha) trials++;
  return trials;
}
