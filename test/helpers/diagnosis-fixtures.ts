import { diagnose } from '../../src/analyze/diagnosis.ts';
import type {
  JobCounts,
  JobRecord,
  Observations,
  RunFile,
  TrialResult,
} from '../../src/record/run-file.ts';
import { emptyJobCounts } from '../../src/record/summary.ts';
import { noObservations } from './make-run.ts';

/** Shared by the diagnose-*.test.ts files: run.json and jobs.ndjson contents to diagnose. */

export const MiB = 1024 * 1024;

export function counts(completed: number): JobCounts {
  return { ...emptyJobCounts(), submitted: completed, completed };
}

/** A realistic run.json with one trial; tests override the parts they exercise. */
export function oneTrialRun(
  options: {
    observations?: Partial<Observations>;
    trial?: Partial<TrialResult>;
    completed?: number;
    cpus?: number;
    /** Run-level fields, e.g. `stopReason` of an interrupted run. */
    run?: Partial<RunFile>;
  } = {},
): RunFile {
  const completed = options.completed ?? 40;
  const trial: TrialResult = {
    index: 0,
    startedAt: '2025-01-01T00:00:00.000Z',
    endedAt: '2025-01-01T00:00:40.000Z',
    durationSeconds: 40,
    warmupJobs: 0,
    jobs: counts(completed),
    throughput: {
      submittedPerSecond: 1,
      completedPerSecond: 1,
      series: { tSeconds: [], submitted: [], completed: [], failed: [] },
    },
    stages: {},
    bySizeClass: {},
    accuracy: null,
    generator: {
      eventLoopDelayP99Ms: 5,
      eventLoopDelayMaxMs: 9,
      cpuPercent: 10,
      behindScheduleJobs: 0,
      cappedJobs: 0,
    },
    observations: { ...noObservations(), ...options.observations },
    caveats: [],
    ...options.trial,
  };
  const { index: _index, observations: _o, generator: _g, ...summary } = trial;
  return {
    schemaVersion: 1,
    id: 'fixture-run',
    tool: { name: 'ocrbench', version: '0.1.0' },
    scenario: { name: 'fixture', file: 'fixture.yaml', sha256: '', tags: {} },
    target: { url: 'http://127.0.0.1:5000', profile: 'ocrlotes', builtin: null },
    host: { hostname: 'test', cpus: options.cpus ?? 2, cpuModel: 'x', memoryBytes: 0, node: '20' },
    startedAt: trial.startedAt,
    endedAt: trial.endedAt,
    complete: true,
    stopReason: 'finished',
    trials: [trial],
    summary,
    caveats: [],
    jobsLog: 'jobs.ndjson',
    ...options.run,
  };
}

/** Completed jobs, one a second; `shape` gives each job's stage times in ms. */
export function completedJobs(
  count: number,
  shape: (index: number) => Partial<JobRecord>,
): JobRecord[] {
  return Array.from({ length: count }, (_, index) => {
    const job: JobRecord = {
      trial: 0,
      jobId: `j${index}`,
      file: 'receipt.png',
      sizeClass: 'small',
      bytes: 50_000,
      fate: 'completed',
      warmup: false,
      scheduledAtMs: index * 1000,
      uploadMs: 20,
      queueWaitMs: 100,
      processingMs: 1000,
      resultFetchMs: 5,
      timingSource: 'server',
      ...shape(index),
    };
    job.endToEndMs ??=
      (job.uploadMs ?? 0) +
      (job.queueWaitMs ?? 0) +
      (job.processingMs ?? 0) +
      (job.resultFetchMs ?? 0) +
      10;
    return job;
  });
}

export const codes = (run: RunFile, jobs: JobRecord[]) =>
  diagnose(run, jobs).findings.map((f) => f.code);
export const series = (n: number, f: (i: number) => number) =>
  Array.from({ length: n }, (_, i) => f(i));
