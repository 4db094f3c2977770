import { newHistogram, recordMs, stageStats } from '../../src/record/histogram.ts';
import type {
  Caveat,
  GeneratorHealth,
  Observations,
  RunFile,
  StageMap,
  TrialResult,
} from '../../src/record/run-file.ts';
import { summarizeTrials } from '../../src/compare/merge-runs.ts';
import { normalDraw, seededRandom, type Random } from '../../src/util/random.ts';

/**
 * Builds realistic run files from known latency distributions: each job's stages are
 * lognormal around the given medians (ms), each trial gets its own multiplicative drift
 * (a noisy machine), all from a seeded PRNG so fixtures are identical on every machine.
 */
export interface MakeRunOptions {
  id?: string;
  seed?: number;
  trials?: number;
  jobsPerTrial?: number;
  /** Multiplies every stage latency (1.05 = a 5% regression everywhere). */
  latencyFactor?: number;
  /** Median of each stage, ms. */
  medianMs?: { upload: number; queueWait: number; processing: number; resultFetch: number };
  /** Spread of job latencies (log-space standard deviation). */
  sigma?: number;
  /** Trial-to-trial drift (log-space standard deviation of a per-trial factor). */
  trialDrift?: number;
  completedPerSecond?: number;
  failedPerTrial?: number;
  lostPerTrial?: number;
  /** Character error rate of each trial; null = no ground truth. */
  cer?: number | null;
  hostname?: string;
  scenarioSha?: string;
  faults?: string[];
  caveats?: Caveat[];
  observe?: boolean;
  complete?: boolean;
  startedAt?: string;
}

const DEFAULT_MEDIANS = { upload: 40, queueWait: 600, processing: 1500, resultFetch: 8 };
const STAGE_KEYS = ['upload', 'queueWait', 'processing', 'resultFetch'] as const;

export function makeRun(options: MakeRunOptions = {}): RunFile {
  const random = seededRandom(options.seed ?? 7);
  const trialCount = options.trials ?? 5;
  const start = Date.parse(options.startedAt ?? '2025-01-15T10:00:00.000Z');
  const trials: TrialResult[] = [];
  let clock = start;
  for (let index = 0; index < trialCount; index++) {
    const trial = makeTrial(index, clock, options, random);
    trials.push(trial);
    clock += (trial.durationSeconds + 5) * 1000;
  }
  return {
    schemaVersion: 1,
    id: options.id ?? 'run-fixture',
    tool: { name: 'ocrbench', version: '0.1.0' },
    scenario: {
      name: 'steady-mix',
      file: 'scenarios/steady-mix.yaml',
      sha256: options.scenarioSha ?? 'a'.repeat(64),
      tags: {},
    },
    target: {
      url: 'http://127.0.0.1:5000',
      profile: 'ocrlotes',
      builtin: { workers: 2, faults: options.faults ?? [] },
    },
    host: {
      hostname: options.hostname ?? 'bench-host',
      cpus: 2,
      cpuModel: 'Test CPU @ 2.0GHz',
      memoryBytes: 8 * 1024 ** 3,
      node: 'v20.20.2',
    },
    startedAt: new Date(start).toISOString(),
    endedAt: trials[trials.length - 1]?.endedAt ?? new Date(start).toISOString(),
    complete: options.complete ?? true,
    stopReason: options.complete === false ? 'interrupted' : 'finished',
    trials,
    summary: summarizeTrials(trials),
    caveats: options.caveats ?? [],
    jobsLog: 'jobs.ndjson',
  };
}

function makeTrial(
  index: number,
  startMs: number,
  options: MakeRunOptions,
  random: Random,
): TrialResult {
  const jobs = options.jobsPerTrial ?? 300;
  const medians = options.medianMs ?? DEFAULT_MEDIANS;
  const sigma = options.sigma ?? 0.35;
  const factor =
    (options.latencyFactor ?? 1) * Math.exp((options.trialDrift ?? 0.03) * normalDraw(random));
  const histograms = Object.fromEntries(
    [...STAGE_KEYS, 'endToEnd'].map((key) => [key, newHistogram()]),
  );
  for (let job = 0; job < jobs; job++) {
    let total = 0;
    for (const key of STAGE_KEYS) {
      const ms = medians[key] * factor * Math.exp(sigma * normalDraw(random));
      recordMs(histograms[key], ms);
      total += ms;
    }
    recordMs(histograms.endToEnd, total);
  }
  const stages: StageMap = {};
  for (const [key, histogram] of Object.entries(histograms)) {
    stages[key as keyof StageMap] = stageStats(histogram);
  }
  const rate = ((options.completedPerSecond ?? 5) * (1 + 0.02 * normalDraw(random))) / factor;
  const durationSeconds = Math.max(1, Math.round(jobs / rate));
  const failed = options.failedPerTrial ?? 0;
  const lost = options.lostPerTrial ?? 0;
  return {
    index,
    startedAt: new Date(startMs).toISOString(),
    endedAt: new Date(startMs + durationSeconds * 1000).toISOString(),
    durationSeconds,
    warmupJobs: 5,
    jobs: {
      submitted: jobs + failed + lost,
      completed: jobs,
      failed,
      timedOut: 0,
      lost,
      inFlight: 0,
      failedByClass: failed > 0 ? { http5xx: failed } : {},
      throttled: 0,
    },
    throughput: throughputOf(jobs, durationSeconds, random),
    stages,
    bySizeClass: {},
    accuracy: accuracyOf(options.cer === undefined ? 0.031 : options.cer, jobs),
    generator: {
      eventLoopDelayP99Ms: 12,
      eventLoopDelayMaxMs: 30,
      cpuPercent: 15,
      behindScheduleJobs: 0,
      cappedJobs: 0,
    },
    observations: observationsOf(durationSeconds, options.observe ?? true, random),
    caveats: [],
  };
}

function throughputOf(jobs: number, seconds: number, random: Random): TrialResult['throughput'] {
  const tSeconds = Array.from({ length: seconds }, (_, i) => i);
  const completed = tSeconds.map(() => 0);
  for (let job = 0; job < jobs; job++) completed[Math.floor(random() * seconds)]++;
  const submitted = [...completed];
  return {
    submittedPerSecond: jobs / seconds,
    completedPerSecond: jobs / seconds,
    series: { tSeconds, submitted, completed, failed: tSeconds.map(() => 0) },
  };
}

function accuracyOf(cer: number | null, jobs: number): TrialResult['accuracy'] {
  if (cer === null) return null;
  return {
    cer,
    wer: cer * 2.5,
    jobsChecked: jobs,
    jobsWithoutTruth: 0,
    emptyResults: 0,
    worst: [],
  };
}

/** A load generator that kept up: 1 ms event-loop delay, 1% CPU, no late or capped jobs. */
export function quietGenerator(): GeneratorHealth {
  return {
    eventLoopDelayP99Ms: 1,
    eventLoopDelayMaxMs: 1,
    cpuPercent: 1,
    behindScheduleJobs: 0,
    cappedJobs: 0,
  };
}

/** A trial's observations when nothing was observed. */
export function noObservations(): Observations {
  return {
    queue: null,
    processes: null,
    host: null,
    folders: [],
    metrics: null,
    resultFiles: null,
  };
}

function observationsOf(seconds: number, observe: boolean, random: Random) {
  if (!observe) return noObservations();
  const tSeconds = Array.from({ length: Math.min(seconds, 120) }, (_, i) => i);
  const pending = tSeconds.map((t) => Math.round(4 + 3 * Math.sin(t / 7) + random() * 2));
  return {
    queue: {
      tSeconds,
      pending,
      processing: tSeconds.map(() => 2),
      completed: tSeconds.map((t) => t * 5),
      errors: tSeconds.map(() => 0),
    },
    processes: {
      selector: 'name ~ gunicorn',
      tSeconds,
      processCount: tSeconds.map(() => 3),
      cpuPercent: tSeconds.map(() => 150 + random() * 40),
      rssBytes: tSeconds.map((t) => (600 + t * 0.5) * 1024 ** 2),
      readBytesPerSecond: tSeconds.map(() => 0),
      writeBytesPerSecond: tSeconds.map(() => 2048),
    },
    host: null,
    folders: [],
    metrics: null,
    resultFiles: null,
  };
}
