import type { TrialResult } from '../../record/run-file.ts';

/**
 * Time series of one side for the charts: each trial's series aligned on seconds since
 * the trial's start and averaged across trials, so before and after share one time axis.
 * Returns [] when no trial observed it.
 */
export function averagedSeries(
  trials: TrialResult[],
  pick: (trial: TrialResult) => { t: number[]; v: number[] } | null,
  smoothSeconds = 1,
): Array<[number, number]> {
  const sums = new Map<number, { sum: number; count: number }>();
  for (const trial of trials) {
    const series = pick(trial);
    if (!series) continue;
    series.t.forEach((t, i) => {
      const second = Math.round(t);
      const slot = sums.get(second) ?? { sum: 0, count: 0 };
      slot.sum += series.v[i];
      slot.count += 1;
      sums.set(second, slot);
    });
  }
  const points = [...sums.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([t, { sum, count }]): [number, number] => [t, sum / count]);
  return smoothSeconds > 1 ? movingAverage(points, smoothSeconds) : points;
}

/** Trailing moving average over `window` points (per-second counts are spiky). */
function movingAverage(points: Array<[number, number]>, window: number): Array<[number, number]> {
  return points.map(([t], index) => {
    const from = Math.max(0, index - window + 1);
    const slice = points.slice(from, index + 1);
    return [t, slice.reduce((sum, [, v]) => sum + v, 0) / slice.length];
  });
}
