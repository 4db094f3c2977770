import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { Scenario } from '../scenario/schema.ts';
import { MIN_GENERATOR_WINDOW_SECONDS, type GeneratorHealth } from '../record/run-file.ts';
import { openArrivals, openLoadLengthMs } from './arrivals.ts';
import type { DocumentPicker, LoadedDocument } from './documents.ts';
import { runUpload, type JobEnvironment, type JobOutcome } from './job.ts';
import { abortableSleep } from './sleep.ts';

/** Called for every job as soon as its fate is known. */
export type JobSink = (outcome: JobOutcome, document: LoadedDocument, atMs: number) => void;

export interface EngineInput {
  scenario: Scenario;
  picker: DocumentPicker;
  /** Everything a job needs except the clock and signal, which the engine owns. */
  environment: Omit<JobEnvironment, 'now' | 'signal'>;
  random: () => number;
  signal: AbortSignal;
  /** An upload request was sent carrying `jobs` jobs, all warm-up or all measured. */
  onSubmitted: (atMs: number, jobs: number, warmup: boolean) => void;
  onJob: JobSink;
}

export interface EngineResult {
  startedAtMs: number;
  /** ms from the trial start until the last job reached its fate. */
  lengthMs: number;
  generator: GeneratorHealth;
  jobsStarted: number;
}

/** A job starting more than this after its intended time counts as behind schedule, ms. */
const BEHIND_SCHEDULE_MS = 10;
/**
 * The generator's own start-up (module loading, compiling, first connections) is left out
 * of its CPU and event-loop figures: it is not load the generator fails to keep up with.
 */
export const GENERATOR_STARTUP_MS = 1000;

/**
 * Drives one trial: starts jobs by the load model until the duration or job limit, then
 * waits for the jobs in flight. The abort signal stops it early; jobs then in flight end
 * with fate `inFlight`, so the counts still add up.
 */
export async function runEngine(input: EngineInput): Promise<EngineResult> {
  const { scenario, picker, signal } = input;
  const startedAtMs = performance.now();
  const now = () => performance.now() - startedAtMs;
  const environment: JobEnvironment = { ...input.environment, now, signal };
  const health = watchGenerator(now);

  const load = scenario.load;
  const warmupJobs = scenario.warmup.jobs;
  const perRequest = scenario.uploads.filesPerRequest;
  const measuredLimit = load.jobs ?? Number.POSITIVE_INFINITY;
  const durationMs = (load.durationSeconds ?? Number.POSITIVE_INFINITY) * 1000;
  let started = 0;
  let behindScheduleJobs = 0;
  let cappedJobs = 0;

  /** Starts one upload request; false when a limit says to stop starting. */
  const launch = (scheduledAtMs: number): Promise<void> | null => {
    if (signal.aborted || started >= warmupJobs + measuredLimit) return null;
    const documents: LoadedDocument[] = [];
    const warmup = started < warmupJobs;
    for (let i = 0; i < perRequest && started < warmupJobs + measuredLimit; i++) {
      documents.push(picker.pick());
      started++;
    }
    input.onSubmitted(now(), documents.length, warmup);
    return runUpload(environment, documents, scheduledAtMs, warmup).then((outcomes) => {
      const atMs = now();
      outcomes.forEach((outcome, index) => input.onJob(outcome, documents[index], atMs));
    });
  };

  if (load.model === 'closed') {
    const client = async () => {
      while (now() < durationMs) {
        const job = launch(now());
        if (!job) return;
        await job;
      }
    };
    await Promise.all(Array.from({ length: load.concurrency }, client));
  } else {
    const inFlight = new Set<Promise<void>>();
    const lengthMs = Math.min(openLoadLengthMs(load), durationMs);
    for (const intendedMs of openArrivals(load, input.random)) {
      if (intendedMs >= lengthMs || signal.aborted) break;
      if (!(await abortableSleep(intendedMs - now(), signal))) break;
      if (inFlight.size >= load.maxInFlight) {
        cappedJobs++;
        // Wait for a slot; latency is still measured from the intended time.
        while (inFlight.size >= load.maxInFlight && !signal.aborted) {
          await Promise.race(inFlight);
        }
      }
      if (now() - intendedMs > BEHIND_SCHEDULE_MS) behindScheduleJobs++;
      const job = launch(intendedMs);
      if (!job) break;
      const tracked: Promise<void> = job.finally(() => inFlight.delete(tracked));
      inFlight.add(tracked);
    }
    await Promise.all(inFlight);
  }

  const lengthMs = now();
  return {
    startedAtMs,
    lengthMs,
    jobsStarted: started,
    generator: { ...health.stop(), behindScheduleJobs, cappedJobs },
  };
}

type LoadHealth = Omit<GeneratorHealth, 'behindScheduleJobs' | 'cappedJobs'>;

/**
 * Watches the generator's event loop and CPU over the whole run and, separately, after its
 * first GENERATOR_STARTUP_MS. The second window is reported when it is long enough to
 * judge; otherwise the whole run, with `observedSeconds: 0` so no one judges it.
 */
function watchGenerator(now: () => number): { stop(): LoadHealth } {
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
