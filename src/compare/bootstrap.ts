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

/** Per-trial weights of each side (CER: reference characters); null = equal weights. */
export interface Weights {
  baseline: readonly number[] | null;
  candidate: readonly number[] | null;
}

/** Mean of the values, weighted when weights are given (a pooled rate from per-trial rates). */
export function weightedMean(values: readonly number[], weights?: readonly number[] | null) {
  if (!weights) return mean(values as number[]);
  let total = 0;
  let weight = 0;
  values.forEach((value, index) => {
    total += value * weights[index];
    weight += weights[index];
  });
  return weight > 0 ? total / weight : Number.NaN;
}

export function estimate(
  kind: MetricKind,
  baseline: readonly number[],
  candidate: readonly number[],
  weights?: Weights,
): number {
  const b = weightedMean(baseline, weights?.baseline);
  const c = weightedMean(candidate, weights?.candidate);
  if (kind === 'difference') return c - b;
  return b === 0 ? Number.NaN : c / b;
}

export function bootstrapInterval(
  kind: MetricKind,
  baseline: readonly number[],
  candidate: readonly number[],
  options: { resamples: number; confidence: number; random: Random; weights?: Weights },
): Interval | null {
  const estimates: number[] = [];
  const wb = options.weights?.baseline ?? null;
  const wc = options.weights?.candidate ?? null;
  const b = new Array<number>(baseline.length);
  const c = new Array<number>(candidate.length);
  // A trial is resampled with its weight, so each resample pools the trials it drew.
  const bw = wb ? new Array<number>(baseline.length) : null;
  const cw = wc ? new Array<number>(candidate.length) : null;
  for (let i = 0; i < options.resamples; i++) {
    for (let j = 0; j < b.length; j++) {
      const k = Math.floor(options.random() * b.length);
      b[j] = baseline[k];
      if (bw && wb) bw[j] = wb[k];
    }
    for (let j = 0; j < c.length; j++) {
      const k = Math.floor(options.random() * c.length);
      c[j] = candidate[k];
      if (cw && wc) cw[j] = wc[k];
    }
    const value = estimate(kind, b, c, { baseline: bw, candidate: cw });
    if (Number.isFinite(value)) estimates.push(value);
  }
  // A ratio whose baseline resamples are mostly 0 has no usable interval.
  if (estimates.length < options.resamples * 0.9) return null;
  estimates.sort((x, y) => x - y);
  const tail = (1 - options.confidence) / 2;
  return { low: quantileSorted(estimates, tail), high: quantileSorted(estimates, 1 - tail) };
}
