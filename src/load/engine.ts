import { performance } from 'node:perf_hooks';
import type { OpenLoad, Scenario } from '../scenario/schema.ts';
import type { GeneratorHealth } from '../record/run-file.ts';
import { openArrivals, openLoadLengthMs } from './arrivals.ts';
import type { DocumentPicker, LoadedDocument } from './documents.ts';
import { runUpload, type JobEnvironment, type JobOutcome } from './job.ts';
import { watchGenerator } from './generator-watch.ts';
import { runClosedPhase, runOpenPhase, type PhaseEnd, type PhaseRunner } from './phases.ts';

export { GENERATOR_STARTUP_MS } from './generator-watch.ts';

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
  /** Most closed-model clients running at once (0 for open): never more than jobs can use. */
  clients: number;
  /** When the measured phase began: every warm-up job had reached its fate. ms since start. */
  measuredStartMs: number;
  /**
   * When the measured phase stopped starting jobs (its duration ended, its job limit turned
   * a job away, or the run was aborted), ms since the trial start. Submitted throughput is
   * over [measuredStartMs, submissionEndMs].
   */
  submissionEndMs: number;
}

interface Phase {
  warmup: boolean;
  /** Jobs this phase may start; Infinity without a job limit. */
  jobs: number;
  started: number;
}

/**
 * Drives one trial in two phases: the warm-up jobs, all of them to their fate, then the
 * measured jobs by the load model until the duration or job limit, then waits for the jobs
 * in flight. Warm-up jobs never overlap measured ones, so they cannot inflate the measured
 * jobs' queue wait. The abort signal stops it early; jobs then in flight end with fate
 * `inFlight`, so the counts still add up.
 */
export async function runEngine(input: EngineInput): Promise<EngineResult> {
  const { scenario, picker, signal } = input;
  const startedAtMs = performance.now();
  const now = () => performance.now() - startedAtMs;
  const environment: JobEnvironment = { ...input.environment, now, signal };
  const health = watchGenerator(now);

  const load = scenario.load;
  const perRequest = scenario.uploads.filesPerRequest;
  // Duration counts from the trial start, warm-up included (docs/scenario.md).
  const durationMs = (load.durationSeconds ?? Number.POSITIVE_INFINITY) * 1000;
  const counts = { behindScheduleJobs: 0, cappedJobs: 0 };
  let jobsStarted = 0;
  let clients = 0;

  const runnerOf = (phase: Phase): PhaseRunner => ({
    now,
    signal,
    full: () => phase.started >= phase.jobs,
    launch(intendedMs, cause) {
      if (signal.aborted || phase.started >= phase.jobs) return null;
      const documents: LoadedDocument[] = [];
      while (documents.length < perRequest && phase.started < phase.jobs) {
        documents.push(picker.pick());
        phase.started++;
      }
      jobsStarted += documents.length;
      input.onSubmitted(now(), documents.length, phase.warmup);
      const upload = runUpload(environment, documents, intendedMs, phase.warmup, cause);
      return upload.then((outcomes) => {
        const atMs = now();
        outcomes.forEach((outcome, index) => input.onJob(outcome, documents[index], atMs));
      });
    },
  });

  const runPhase = async (phase: Phase, startMs: number): Promise<PhaseEnd> => {
    const runner = runnerOf(phase);
    if (load.model === 'closed') {
      // One client per request the phase can send at most: `concurrency: 1e8, jobs: 4`
      // starts 4 clients, not 1e8 (each client is a promise chain held in memory).
      const phaseClients = Math.min(load.concurrency, Math.ceil(phase.jobs / perRequest));
      clients = Math.max(clients, phaseClients);
      return runClosedPhase(runner, phaseClients, durationMs);
    }
    const lengthMs = phase.warmup ? Number.POSITIVE_INFINITY : openLoadLengthMs(load);
    return runOpenPhase(runner, {
      arrivals: phase.warmup
        ? warmupArrivals(load, input.random)
        : openArrivals(load, input.random),
      startMs,
      endMs: Math.min(startMs + lengthMs, durationMs),
      maxInFlight: load.maxInFlight,
      counts: phase.warmup ? null : counts,
    });
  };

  const warmupJobs = scenario.warmup.jobs;
  if (warmupJobs > 0) await runPhase({ warmup: true, jobs: warmupJobs, started: 0 }, 0);
  const measuredStartMs = now();
  const measured: Phase = {
    warmup: false,
    jobs: load.jobs ?? Number.POSITIVE_INFINITY,
    started: 0,
  };
  const { submissionEndMs } = await runPhase(measured, measuredStartMs);

  return {
    startedAtMs,
    lengthMs: now(),
    jobsStarted,
    clients,
    measuredStartMs,
    submissionEndMs: Math.max(measuredStartMs, submissionEndMs),
    generator: { ...health.stop(), ...counts },
  };
}

/**
 * Warm-up arrivals of an open load: at the scenario's start rate (`rate`, or else the first
 * stage's that is above 0, since a ramp from 0 jobs/s would never start), with the same
 * arrival process, until the warm-up jobs are started.
 */
function warmupArrivals(load: OpenLoad, random: () => number): Iterable<number> {
  const rate = load.rate ?? load.stages?.find((stage) => stage.rate > 0)?.rate ?? 1;
  return openArrivals({ ...load, rate, stages: undefined, durationSeconds: undefined }, random);
}
