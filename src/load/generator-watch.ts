import { monitorEventLoopDelay } from 'node:perf_hooks';
import { MIN_GENERATOR_WINDOW_SECONDS, type GeneratorHealth } from '../record/run-file.ts';

/**
 * The generator's own start-up (module loading, compiling, first connections) is left out
 * of its CPU and event-loop figures: it is not load the generator fails to keep up with. ms.
 */
export const GENERATOR_STARTUP_MS = 1000;

/** What the watch measures; the engine adds its late and capped job counts. */
export type LoadHealth = Omit<GeneratorHealth, 'behindScheduleJobs' | 'cappedJobs'>;

/**
 * Watches the generator's event loop and CPU over the whole run and, separately, after its
 * first GENERATOR_STARTUP_MS. The second window is reported when it is long enough to
 * judge; otherwise the whole run, with `observedSeconds: 0` so no one judges it.
 * `now` is the trial clock, ms.
 */
export function watchGenerator(now: () => number): { stop(): LoadHealth } {
  const window = (): { stop(): LoadHealth } => {
    const startedMs = now();
    const cpuBefore = process.cpuUsage();
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    return {
      stop() {
        loopDelay.disable();
        const lengthMs = Math.max(now() - startedMs, 1);
        const cpu = process.cpuUsage(cpuBefore);
        return {
          eventLoopDelayP99Ms: loopDelay.percentile(99) / 1e6,
          eventLoopDelayMaxMs: loopDelay.max / 1e6,
          // cpuUsage is in µs: µs / 1000 = ms of CPU per ms of run, as percent of one core.
          cpuPercent: ((cpu.user + cpu.system) / 1000 / lengthMs) * 100,
          observedSeconds: lengthMs / 1000,
        };
      },
    };
  };
  const whole = window();
  let steady: ReturnType<typeof window> | null = null;
  const timer = setTimeout(() => (steady = window()), GENERATOR_STARTUP_MS);
  timer.unref();
  return {
    stop() {
      clearTimeout(timer);
      const all = whole.stop();
      const afterStartup = steady?.stop() ?? null;
      if (afterStartup && (afterStartup.observedSeconds ?? 0) >= MIN_GENERATOR_WINDOW_SECONDS) {
        return afterStartup;
      }
      return { ...all, observedSeconds: 0 };
    },
  };
}
