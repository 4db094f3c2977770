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

/** Value at a percentile (0-100) in ms. */
export function percentileMs(histogram: Histogram, percentile: number): number {
  return histogram.getValueAtPercentile(percentile) / 1000;
}

/** Summary of a histogram as stored in run.json. */
export function stageStats(histogram: Histogram): StageStats {
  const count = histogram.totalCount;
  const empty = count === 0;
  return {
    count,
    minMs: empty ? 0 : histogram.minNonZeroValue / 1000,
    meanMs: empty ? 0 : histogram.mean / 1000,
    p50Ms: empty ? 0 : percentileMs(histogram, 50),
    p90Ms: empty ? 0 : percentileMs(histogram, 90),
    p95Ms: empty ? 0 : percentileMs(histogram, 95),
    p99Ms: empty ? 0 : percentileMs(histogram, 99),
    maxMs: empty ? 0 : histogram.maxValue / 1000,
    histogram: encodeHistogram(histogram),
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
