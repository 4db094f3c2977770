import { debug } from '../util/log.ts';

/**
 * Runs one sampler at a fixed interval while a trial runs. A sampler must never disturb the
 * run: errors are counted and logged, never thrown, and a sample that is still running when
 * the next tick comes makes that tick skip (counted) instead of piling samples up.
 */
export interface PeriodicSampler {
  /** Clears the timer, waits for a sample in progress, then takes one final sample. */
  stop(): Promise<void>;
  /** Ticks skipped because the previous sample had not finished. */
  readonly skipped: number;
  /** Samples that threw (the error went to NODE_DEBUG=ocrbench). */
  readonly failed: number;
}

export function runPeriodically(
  name: string,
  intervalMs: number,
  sample: () => Promise<void>,
): PeriodicSampler {
  let inProgress: Promise<void> | null = null;
  let skipped = 0;
  let failed = 0;

  const tick = (): void => {
    if (inProgress) {
      skipped++;
      return;
    }
    inProgress = sample()
      .catch((error: unknown) => {
        failed++;
        debug('observe %s: sample failed: %s', name, String(error));
      })
      .finally(() => {
        inProgress = null;
      });
  };

  // A first sample at once: rates need a baseline, and short trials need points.
  tick();
  const timer = setInterval(tick, intervalMs);
  // Never keep the process alive for a sampler alone.
  timer.unref();

  return {
    get skipped() {
      return skipped;
    },
    get failed() {
      return failed;
    },
    async stop() {
      clearInterval(timer);
      if (inProgress) await inProgress;
      tick();
      if (inProgress) await inProgress;
    },
  };
}

/** Seconds since the trial start, from performance.now() based milliseconds. */
export function secondsSince(startedAtMs: number): number {
  return Math.round(performance.now() - startedAtMs) / 1000;
}
