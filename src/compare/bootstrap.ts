import { mean, quantileSorted } from 'simple-statistics';
import type { Random } from '../util/random.ts';
import type { MetricKind } from './metrics.ts';

/**
 * Percentile bootstrap over trials: resample each side's trial values with replacement,
 * recompute the ratio (or difference) of the means, read the interval off the sorted
 * resampled estimates. Means, not medians: with 3-10 trials the median of a resample takes
 * only a handful of distinct values, so its interval is lumpy and often collapses to a
 * point; robustness to one odd trial comes from the rank test that decides significance.
 */
export interface Interval {
  low: number;
  high: number;
}

export function estimate(kind: MetricKind, baseline: number[], candidate: number[]): number {
  const b = mean(baseline);
  const c = mean(candidate);
  if (kind === 'difference') return c - b;
  return b === 0 ? Number.NaN : c / b;
}

export function bootstrapInterval(
  kind: MetricKind,
  baseline: number[],
  candidate: number[],
  options: { resamples: number; confidence: number; random: Random },
): Interval | null {
  const estimates: number[] = [];
  const b = new Array<number>(baseline.length);
  const c = new Array<number>(candidate.length);
  for (let i = 0; i < options.resamples; i++) {
    for (let j = 0; j < b.length; j++) b[j] = baseline[Math.floor(options.random() * b.length)];
    for (let j = 0; j < c.length; j++) c[j] = candidate[Math.floor(options.random() * c.length)];
    const value = estimate(kind, b, c);
    if (Number.isFinite(value)) estimates.push(value);
  }
  // A ratio whose baseline resamples are mostly 0 has no usable interval.
  if (estimates.length < options.resamples * 0.9) return null;
  estimates.sort((x, y) => x - y);
  const tail = (1 - options.confidence) / 2;
  return { low: quantileSorted(estimates, tail), high: quantileSorted(estimates, 1 - tail) };
}
