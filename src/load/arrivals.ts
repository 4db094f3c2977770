import type { OpenLoad } from '../scenario/schema.ts';

/**
 * Intended start times of an open load, in ms from the trial start. Latency is measured from
 * these times, not from when a request actually left, so a stalled server or a lagging
 * generator shows in the percentiles (no coordinated omission).
 */
export function* openArrivals(load: OpenLoad, random: () => number): Generator<number> {
  const stages = load.stages ?? [
    { durationSeconds: load.durationSeconds ?? Number.POSITIVE_INFINITY, rate: load.rate ?? 0 },
  ];
  // Arrivals are placed in "expected jobs" space: the k-th constant arrival is where the
  // integral of the rate reaches k; Poisson arrivals add exponential(1) steps instead.
  // This handles linear ramps exactly, including ramps that start from 0 jobs/s.
  const nextStep = () => (load.arrival === 'poisson' ? -Math.log(1 - random()) : 1);
  let target = load.arrival === 'poisson' ? nextStep() : 0;
  let jobsBefore = 0;
  let stageStartMs = 0;
  let startRate = load.rate ?? 0;
  for (const stage of stages) {
    const seconds = stage.durationSeconds;
    const a = startRate;
    const b = load.stages ? stage.rate : startRate;
    const stageJobs = ((a + b) / 2) * seconds;
    while (target < jobsBefore + stageJobs) {
      const within = timeForJobs(target - jobsBefore, a, b, seconds);
      if (!Number.isFinite(within)) break;
      yield stageStartMs + within * 1000;
      target += nextStep();
    }
    jobsBefore += stageJobs;
    stageStartMs += seconds * 1000;
    startRate = b;
  }
}

/** Seconds into a stage where the rate, ramping a -> b over `seconds`, has produced `jobs`. */
function timeForJobs(jobs: number, a: number, b: number, seconds: number): number {
  const slope = (b - a) / seconds; // jobs/s per s
  if (Math.abs(slope) < 1e-12) return a > 0 ? jobs / a : Infinity;
  // a*t + slope*t^2/2 = jobs  ->  t = (-a + sqrt(a^2 + 2*slope*jobs)) / slope
  const discriminant = a * a + 2 * slope * jobs;
  return discriminant < 0 ? Infinity : (-a + Math.sqrt(discriminant)) / slope;
}

/** Total planned length of an open load, ms; Infinity when only `jobs` limits it. */
export function openLoadLengthMs(load: OpenLoad): number {
  if (load.stages) {
    const staged = load.stages.reduce((sum, stage) => sum + stage.durationSeconds * 1000, 0);
    return Math.min(staged, (load.durationSeconds ?? Infinity) * 1000);
  }
  return (load.durationSeconds ?? Infinity) * 1000;
}
