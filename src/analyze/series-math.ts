import { linearRegression, rSquared } from 'simple-statistics';
import type { QueueSeries } from '../record/run-file.ts';

export function average(values: number[]): number {
  return values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** Least-squares line through (x, y) points: slope per unit of x, and how well it fits. */
export function fitLine(xs: number[], ys: number[]): { slope: number; rSquared: number } {
  if (xs.length < 2) return { slope: 0, rSquared: 0 };
  const points = xs.map((x, index) => [x, ys[index]]);
  const { m, b } = linearRegression(points);
  const fit = rSquared(points, (x) => m * x + b);
  return { slope: m, rSquared: Number.isFinite(fit) ? fit : 0 };
}

export interface QueueRates {
  /** Jobs entering the queue per second, mean over the series. */
  addedPerSecond: number;
  /** Jobs leaving it (completed or failed) per second, mean over the series. */
  consumedPerSecond: number;
  /** Fitted slope of pending jobs, jobs per second. */
  pendingSlopePerSecond: number;
  firstPending: number;
  lastPending: number;
  seconds: number;
}

/**
 * Add and consume rates from the queue's cumulative counters. Everything ever added is
 * pending + processing + completed + errors; everything consumed is completed + errors.
 * Counter resets (a restarted service) give negative steps, which are left out.
 */
export function queueRates(series: QueueSeries): QueueRates | null {
  const n = series.tSeconds.length;
  if (n < 2) return null;
  let added = 0;
  let consumed = 0;
  let seconds = 0;
  const total = (i: number) =>
    series.pending[i] + series.processing[i] + series.completed[i] + series.errors[i];
  const done = (i: number) => series.completed[i] + series.errors[i];
  for (let i = 1; i < n; i++) {
    const step = series.tSeconds[i] - series.tSeconds[i - 1];
    if (step <= 0 || total(i) < total(i - 1) || done(i) < done(i - 1)) continue;
    added += total(i) - total(i - 1);
    consumed += done(i) - done(i - 1);
    seconds += step;
  }
  return {
    addedPerSecond: seconds > 0 ? added / seconds : 0,
    consumedPerSecond: seconds > 0 ? consumed / seconds : 0,
    pendingSlopePerSecond: fitLine(series.tSeconds, series.pending).slope,
    firstPending: series.pending[0],
    lastPending: series.pending[n - 1],
    seconds: series.tSeconds[n - 1] - series.tSeconds[0],
  };
}

/** Per-interval add and consume rates, jobs/s, one point per queue sample after the first. */
export function queueRateSeries(series: QueueSeries): {
  tSeconds: number[];
  addedPerSecond: number[];
  consumedPerSecond: number[];
} {
  const result = {
    tSeconds: [] as number[],
    addedPerSecond: [] as number[],
    consumedPerSecond: [] as number[],
  };
  const total = (i: number) =>
    series.pending[i] + series.processing[i] + series.completed[i] + series.errors[i];
  const done = (i: number) => series.completed[i] + series.errors[i];
  for (let i = 1; i < series.tSeconds.length; i++) {
    const step = series.tSeconds[i] - series.tSeconds[i - 1];
    if (step <= 0) continue;
    result.tSeconds.push(series.tSeconds[i]);
    // A counter reset (service restart) shows as a negative step: read it as 0, not < 0.
    result.addedPerSecond.push(Math.max(0, total(i) - total(i - 1)) / step);
    result.consumedPerSecond.push(Math.max(0, done(i) - done(i - 1)) / step);
  }
  return result;
}

/** Formats for evidence lines: numbers a reader can check. */
export const format: Record<string, (value: number) => string> = {
  ms: (value: number) =>
    value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(0)} ms`,
  percent: (fraction: number) => `${(fraction * 100).toFixed(0)}%`,
  mib: (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`,
  /** KiB below 1 MiB, so small uploads do not print as 0.0 MiB. */
  size: (bytes: number) =>
    bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : format.mib(bytes),
  rate: (value: number) => value.toFixed(2),
};
