import type { Histogram } from 'hdr-histogram-js';
import { cumulativeStdNormalProbability, probit } from 'simple-statistics';
import type { JobCounts, RunFile } from '../record/run-file.ts';
import type { Interval } from './bootstrap.ts';
import { mergedStageHistogram } from './histograms.ts';
import type { MetricDefinition } from './metrics.ts';
import { normalDraw, type Random } from '../util/random.ts';

/**
 * The fallback for runs with too few trials: treat each job as a sample. Jobs of one run
 * share the machine's state at that time, so they are not independent and these intervals
 * are too narrow; every result from here carries the `job-level` caveat. Throughput is one
 * number per run, not a property of a job: it gets its ratio only, untested.
 */
export interface JobLevelResult {
  baseline: number | null;
  candidate: number | null;
  estimate: number | null;
  interval: Interval | null;
  pValue: number | null;
  test: 'bootstrap' | 'twoProportion' | null;
}

export interface JobLevelOptions {
  resamples: number;
  confidence: number;
  random: Random;
}

const empty: JobLevelResult = {
  baseline: null,
  candidate: null,
  estimate: null,
  interval: null,
  pValue: null,
  test: null,
};

export function jobLevel(
  metric: MetricDefinition,
  baseline: RunFile,
  candidate: RunFile,
  options: JobLevelOptions,
): JobLevelResult {
  if (metric.stage && metric.percentile) {
    const b = mergedStageHistogram(baseline, metric.stage);
    const c = mergedStageHistogram(candidate, metric.stage);
    if (b.totalCount === 0 || c.totalCount === 0) return empty;
    return percentileRatio(b, c, metric.percentile, options);
  }
  if (metric.id === 'throughput.completedPerSecond') return throughput(baseline, candidate);
  if (metric.id === 'cer') {
    // Per-job CER lives in jobs.ndjson; the run summary gives only the point estimate.
    const b = metric.value(baseline.summary);
    const c = metric.value(candidate.summary);
    if (b === null || c === null) return empty;
    return { ...empty, baseline: b, candidate: c, estimate: c - b };
  }
  const pick: Record<string, (jobs: JobCounts) => number> = {
    errorRate: (jobs) => jobs.failed,
    lostRate: (jobs) => jobs.lost,
    timedOutRate: (jobs) => jobs.timedOut,
  };
  const count = pick[metric.id];
  if (!count) return empty;
  return twoProportions(baseline.summary.jobs, candidate.summary.jobs, count, options.confidence);
}

/**
 * Bootstrap of a percentile without expanding the jobs: the k-th smallest of n resampled
 * jobs is the empirical quantile at the k-th smallest of n uniforms, which is
 * Beta(k, n-k+1) distributed; with hundreds of jobs a normal draw of that Beta is close.
 */
function percentileRatio(
  baseline: Histogram,
  candidate: Histogram,
  percentile: number,
  options: JobLevelOptions,
): JobLevelResult {
  const b = baseline.getValueAtPercentile(percentile) / 1000;
  const c = candidate.getValueAtPercentile(percentile) / 1000;
  const drawB = quantileSampler(baseline, percentile / 100, options.random);
  const drawC = quantileSampler(candidate, percentile / 100, options.random);
  const ratios: number[] = [];
  // Resamples on each side of "no change", ties (ratio exactly 1) counted on both: with
  // identical data every ratio is 1, and that must give p = 1, not the smallest p possible.
  let atOrBelowOne = 0;
  let atOrAboveOne = 0;
  for (let i = 0; i < options.resamples; i++) {
    const ratio = drawC() / drawB();
    ratios.push(ratio);
    if (ratio <= 1) atOrBelowOne++;
    if (ratio >= 1) atOrAboveOne++;
  }
  ratios.sort((x, y) => x - y);
  const tail = (1 - options.confidence) / 2;
  const at = (q: number) => ratios[Math.min(ratios.length - 1, Math.floor(q * ratios.length))];
  const below = (atOrBelowOne + 1) / (options.resamples + 1);
  const above = (atOrAboveOne + 1) / (options.resamples + 1);
  return {
    baseline: b,
    candidate: c,
    estimate: c / b,
    interval: { low: at(tail), high: at(1 - tail) },
    pValue: Math.min(1, 2 * Math.min(below, above)),
    test: 'bootstrap',
  };
}

/** Returns a function drawing the bootstrapped q-quantile (ms) of the histogram's jobs. */
function quantileSampler(histogram: Histogram, q: number, random: Random): () => number {
  const n = histogram.totalCount;
  const k = Math.max(1, Math.ceil(q * n));
  const centre = k / (n + 1);
  const sd = Math.sqrt((k * (n - k + 1)) / ((n + 1) ** 2 * (n + 2)));
  const { valuesMs, cumulative } = cumulativeCounts(histogram);
  return () => {
    const u = Math.min(1, Math.max(0, centre + sd * normalDraw(random)));
    const rank = Math.max(1, Math.ceil(u * n));
    // First bucket whose cumulative count reaches the rank (binary search).
    let low = 0;
    let high = cumulative.length - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (cumulative[middle] >= rank) high = middle;
      else low = middle + 1;
    }
    return valuesMs[low];
  };
}

/**
 * The histogram's non-empty buckets with running counts, read in one pass: percentile
 * look-ups walk the whole counts array, too slow to repeat for every resample.
 */
function cumulativeCounts(histogram: Histogram): { valuesMs: number[]; cumulative: number[] } {
  const raw = histogram as unknown as {
    countsArrayLength: number;
    getCountAtIndex(index: number): number;
    valueFromIndex(index: number): number;
    highestEquivalentValue(value: number): number;
  };
  const valuesMs: number[] = [];
  const cumulative: number[] = [];
  let running = 0;
  for (let index = 0; index < raw.countsArrayLength; index++) {
    const count = raw.getCountAtIndex(index);
    if (count === 0) continue;
    running += count;
    // The same convention as getValueAtPercentile: the top of the bucket.
    valuesMs.push(raw.highestEquivalentValue(raw.valueFromIndex(index)) / 1000);
    cumulative.push(running);
  }
  return { valuesMs, cumulative };
}

/**
 * Completed jobs per second: the ratio of the values the reports show (completed jobs /
 * measured seconds of each run), without an interval or a test. Throughput is one number
 * per run; per-second counts are no substitute for more runs: neighbouring seconds share
 * the machine's state, and the partial first and last seconds bias their mean (two runs of
 * 16 jobs in 4.2 s and 4.4 s both average 16 / 5 bins = 3.2 jobs/s).
 */
function throughput(baseline: RunFile, candidate: RunFile): JobLevelResult {
  const bRate = baseline.summary.throughput.completedPerSecond;
  const cRate = candidate.summary.throughput.completedPerSecond;
  return {
    ...empty,
    baseline: bRate,
    candidate: cRate,
    estimate: bRate > 0 ? cRate / bRate : null,
  };
}

/** Difference of two proportions, Wald interval and pooled z test. */
function twoProportions(
  baseline: JobCounts,
  candidate: JobCounts,
  count: (jobs: JobCounts) => number,
  confidence: number,
): JobLevelResult {
  const nb = baseline.submitted;
  const nc = candidate.submitted;
  if (nb === 0 || nc === 0) return empty;
  const pb = count(baseline) / nb;
  const pc = count(candidate) / nc;
  const se = Math.sqrt((pb * (1 - pb)) / nb + (pc * (1 - pc)) / nc);
  const z = probit(1 - (1 - confidence) / 2);
  const pooled = (count(baseline) + count(candidate)) / (nb + nc);
  const pooledSe = Math.sqrt(pooled * (1 - pooled) * (1 / nb + 1 / nc));
  const pValue =
    pooledSe === 0 ? 1 : 2 * (1 - cumulativeStdNormalProbability(Math.abs(pc - pb) / pooledSe));
  return {
    baseline: pb,
    candidate: pc,
    estimate: pc - pb,
    interval: { low: pc - pb - z * se, high: pc - pb + z * se },
    pValue: Math.min(1, pValue),
    test: 'twoProportion',
  };
}
