import { describe, expect, it } from 'vitest';
import {
  decodeHistogram,
  encodeHistogram,
  mergeEncoded,
  newHistogram,
  recordMs,
  stageStats,
} from '../src/record/histogram.ts';

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
});
