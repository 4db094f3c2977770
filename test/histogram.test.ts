import { describe, expect, it } from 'vitest';
import {
  decodeHistogram,
  encodeHistogram,
  mergeEncoded,
  newHistogram,
  recordMs,
  stageStats,
} from '../src/record/histogram.ts';
import { mergeStages } from '../src/record/summary.ts';

describe('histograms', () => {
  it('round-trips losslessly through the run.json encoding', () => {
    const histogram = newHistogram();
    for (let ms = 1; ms <= 1000; ms++) recordMs(histogram, ms);
    const decoded = decodeHistogram(encodeHistogram(histogram));
    expect(decoded.totalCount).toBe(1000);
    expect(stageStats(decoded).p99Ms).toBeCloseTo(stageStats(histogram).p99Ms, 6);
  });

  it('merges histograms instead of averaging percentiles', () => {
    // Worker A: 99 fast jobs; worker B: 1 slow job. True p99 of all 100 is fast (10 ms);
    // p100 is slow. Averaging the two p99s would give ~2505 ms, which no job took.
    const fast = newHistogram();
    for (let i = 0; i < 99; i++) recordMs(fast, 10);
    const slow = newHistogram();
    recordMs(slow, 5000);
    const merged = stageStats(mergeEncoded([encodeHistogram(fast), encodeHistogram(slow)]));
    expect(merged.count).toBe(100);
    expect(merged.p99Ms).toBeCloseTo(10, 1);
    expect(Math.abs(merged.maxMs - 5000)).toBeLessThan(5); // 3 significant digits
  });

  it('keeps percentiles ordered and within 0.1% of the recorded value', () => {
    const histogram = newHistogram();
    for (let i = 0; i < 10_000; i++) recordMs(histogram, 1 + (i % 997) * 3.7);
    const stats = stageStats(histogram);
    expect(stats.minMs).toBeLessThanOrEqual(stats.p50Ms);
    expect(stats.p50Ms).toBeLessThanOrEqual(stats.p90Ms);
    expect(stats.p90Ms).toBeLessThanOrEqual(stats.p95Ms);
    expect(stats.p95Ms).toBeLessThanOrEqual(stats.p99Ms);
    expect(stats.p99Ms).toBeLessThanOrEqual(stats.maxMs);
    expect(Math.abs(stats.maxMs - (1 + 996 * 3.7)) / (1 + 996 * 3.7)).toBeLessThan(0.001);
  });

  it('never reports a percentile above the max or below the min of a tiny histogram', () => {
    // Three jobs: HDR puts p90..p99 at the top of the slowest job's bucket, 2050.047 ms,
    // above the 2049.9 ms that job took.
    const histogram = newHistogram();
    for (const ms of [1234.567, 1500.3, 2049.9]) recordMs(histogram, ms);
    expect(histogram.getValueAtPercentile(99) / 1000).toBeGreaterThan(2049.9);
    const stats = stageStats(histogram);
    expect(stats.minMs).toBe(1234.567);
    expect(stats.maxMs).toBe(2049.9);
    expect(stats.p90Ms).toBe(2049.9);
    expect(stats.p95Ms).toBe(2049.9);
    expect(stats.p99Ms).toBe(2049.9);
    expect(stats.p50Ms).toBe(1501.183); // within its bucket (0.1%), below the max

    // Merged through run.json's encoding, min and max stay exact and bound the percentiles.
    const other = newHistogram();
    recordMs(other, 1800.25);
    const merged = mergeStages([{ endToEnd: stats }, { endToEnd: stageStats(other) }]).endToEnd!;
    expect(merged.count).toBe(4);
    expect(merged.minMs).toBe(1234.567);
    expect(merged.maxMs).toBe(2049.9);
    expect(merged.p99Ms).toBe(2049.9);
    expect(merged.p50Ms).toBeLessThanOrEqual(merged.p90Ms);
  });
});
