import * as hdr from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';
import type { StageStats } from './run-file.ts';

/**
 * Latency histograms. Values are recorded in microseconds (1 µs resolution, 3 significant
 * digits, up to 1 hour), reported in milliseconds. Histograms are merged, never their
 * percentiles: averaging or taking the max of per-worker percentiles is wrong.
 */
const HIGHEST_TRACKABLE_MICROSECONDS = 3_600_000_000;
const SIGNIFICANT_DIGITS = 3;

export function newHistogram(): Histogram {
  return hdr.build({
    bitBucketSize: 'packed',
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_TRACKABLE_MICROSECONDS,
    numberOfSignificantValueDigits: SIGNIFICANT_DIGITS,
    autoResize: true,
  });
}

/** Records a duration in ms; negative or non-finite values are clamped, never dropped. */
export function recordMs(histogram: Histogram, ms: number): void {
  const microseconds = Number.isFinite(ms) ? Math.max(1, Math.round(ms * 1000)) : 1;
  histogram.recordValue(Math.min(microseconds, HIGHEST_TRACKABLE_MICROSECONDS));
}

export function encodeHistogram(histogram: Histogram): string {
  return hdr.encodeIntoCompressedBase64(histogram);
}

export function decodeHistogram(encoded: string): Histogram {
  if (!encoded) return newHistogram();
  return hdr.decodeFromCompressedBase64(encoded, 'packed', false);
}

/** Adds the encoded histograms into one. */
export function mergeEncoded(encoded: string[]): Histogram {
  const merged = newHistogram();
  for (const one of encoded) {
    if (!one) continue;
    const histogram = decodeHistogram(one);
    merged.add(histogram);
  }
  return merged;
}

/** Smallest and largest recorded value, ms. */
export interface Bounds {
  minMs: number;
  maxMs: number;
}

/**
 * Value at a percentile (0-100) in ms, within [min, max] of the recorded values. HDR
 * reports the top of a value's bucket, which can lie above the largest value recorded:
 * with few values, p99 would read higher than max (by up to 0.1%).
 */
export function percentileMs(histogram: Histogram, percentile: number, bounds?: Bounds): number {
  const { minMs, maxMs } = bounds ?? boundsOf(histogram);
  const value = histogram.getValueAtPercentile(percentile) / 1000;
  return Math.min(Math.max(value, minMs), maxMs);
}

/**
 * Min and max as the histogram knows them, ms: exact while it is live; after decoding,
 * the edges of their buckets (so pass the exact ones to `stageStats` when merging).
 */
export function boundsOf(histogram: Histogram): Bounds {
  return { minMs: histogram.minNonZeroValue / 1000, maxMs: histogram.maxValue / 1000 };
}

/**
 * Summary of a histogram as stored in run.json. `bounds`: the exact min and max when the
 * histogram was decoded and merged (the parts' StageStats keep them exactly).
 */
export function stageStats(histogram: Histogram, bounds?: Bounds): StageStats {
  const count = histogram.totalCount;
  if (count === 0) {
    return {
      count,
      minMs: 0,
      meanMs: 0,
      p50Ms: 0,
      p90Ms: 0,
      p95Ms: 0,
      p99Ms: 0,
      maxMs: 0,
      histogram: encodeHistogram(histogram),
    };
  }
  const range = bounds ?? boundsOf(histogram);
  return {
    count,
    minMs: range.minMs,
    meanMs: histogram.mean / 1000,
    p50Ms: percentileMs(histogram, 50, range),
    p90Ms: percentileMs(histogram, 90, range),
    p95Ms: percentileMs(histogram, 95, range),
    p99Ms: percentileMs(histogram, 99, range),
    maxMs: range.maxMs,
    histogram: encodeHistogram(histogram),
  };
}

/**
 * p50, p95 and mean of a list of durations (ms), by the same HDR histogram run.json uses:
 * the diagnosis reports the very numbers run.json holds for the same jobs.
 */
export function hdrSummary(valuesMs: number[]): { p50: number; p95: number; mean: number } {
  if (valuesMs.length === 0) return { p50: 0, p95: 0, mean: 0 };
  const histogram = newHistogram();
  for (const value of valuesMs) recordMs(histogram, value);
  const stats = stageStats(histogram);
  return {
    p50: stats.p50Ms,
    p95: stats.p95Ms,
    mean: valuesMs.reduce((sum, value) => sum + value, 0) / valuesMs.length,
  };
}

/** Points of the cumulative distribution (ms, fraction 0-1) for charts. */
export function cdfPoints(histogram: Histogram, points = 100): Array<[number, number]> {
  const result: Array<[number, number]> = [];
  if (histogram.totalCount === 0) return result;
  for (let i = 0; i <= points; i++) {
    // Denser near the tail: percentiles 0..99.99 on a 1 - 10^-x spacing would be nicer;
    // a linear grid plus the top percentiles is enough for before/after charts.
    const percentile = (i / points) * 100;
    result.push([percentileMs(histogram, percentile), percentile / 100]);
  }
  for (const tail of [99.5, 99.9, 99.99]) {
    result.push([percentileMs(histogram, tail), tail / 100]);
  }
  return result.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
}
