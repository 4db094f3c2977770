/**
 * Settings of a comparison. The one source of these defaults: `ocrbench compare --help`
 * and docs/compare.md read them from here.
 */
export interface CompareSettings {
  /**
   * Significance level of each family of metrics after the Holm-Bonferroni correction.
   * @default 0.05
   */
  alpha: number;
  /**
   * Bootstrap resamples for each confidence interval.
   * @default 10000
   */
  resamples: number;
  /**
   * Seed of the resampling PRNG, so the same runs always give the same intervals.
   * @default 1
   */
  seed: number;
  /**
   * Fewest trials per side for trial-level statistics; below it the job-level fallback runs.
   * @default 3
   */
  minTrials: number;
  /**
   * Ratio metrics (latency, throughput) with fewer trials than this on a side are tested
   * with Welch's t-test on the logarithms of the trial values; from this many per side on
   * (and rates always) with the exact Mann-Whitney rank test (src/compare/trial-test.ts).
   * @default 6
   */
  rankTestMinTrials: number;
  /**
   * Use job-level statistics (clearly caveated) when a side has fewer than `minTrials`.
   * @default true
   */
  jobLevelFallback: boolean;
  /**
   * Ratio metrics: a change whose whole confidence interval lies within 1 ± this fraction
   * is "no change"; a wider interval without significance is "inconclusive".
   * @default 0.05
   */
  ratioEquivalence: number;
  /**
   * Rate metrics (error, lost, timed-out rate, CER): the same band in absolute points
   * (0.002 = 0.2 percentage points).
   * @default 0.002
   */
  differenceEquivalence: number;
  /**
   * Decisive change, ratio metrics: with at least `minTrials` trials per side, every
   * candidate trial above `decisiveRatio` times every baseline trial (or below 1 /
   * `decisiveRatio` times) gets a verdict without a significance test; no interval could
   * contain "no change" then. Run-to-run drift on a shared machine stays far below it.
   * @default 1.5
   */
  decisiveRatio: number;
  /**
   * Decisive change, rates (error, lost, timed-out): every candidate trial more than this
   * many absolute points above (or below) every baseline trial; judged from one trial per
   * side up, since these are counts of jobs, not timings (0.05 = 5 points).
   * @default 0.05
   */
  decisiveDifference: number;
  /**
   * A primary ratio metric whose interval spans more than this fraction (upper / lower - 1)
   * gets a "wide interval" caveat.
   * @default 0.2
   */
  wideIntervalRatio: number;
}

/** Defaults of {@link CompareSettings}. */
export const COMPARE_DEFAULTS: Readonly<CompareSettings> = Object.freeze({
  alpha: 0.05,
  resamples: 10_000,
  seed: 1,
  minTrials: 3,
  rankTestMinTrials: 6,
  jobLevelFallback: true,
  ratioEquivalence: 0.05,
  differenceEquivalence: 0.002,
  decisiveRatio: 1.5,
  decisiveDifference: 0.05,
  wideIntervalRatio: 0.2,
});
