/**
 * The shape of `reports/<run-id>/run.json`: the one contract between a run and everything
 * that reads it (reports, compare, gate). Times are milliseconds unless the name says
 * otherwise; timestamps are ISO 8601 strings in UTC.
 */

/**
 * The stages of one job, in the order they happen. `startDelay` is the wait inside ocrbench
 * before the upload request left (the open model's in-flight cap, a generator behind its
 * schedule); `upload` starts when the request is sent.
 */
export const STAGES = [
  'startDelay',
  'upload',
  'queueWait',
  'processing',
  'resultFetch',
  'endToEnd',
] as const;
export type StageName = (typeof STAGES)[number];

/** What happened to one job. Exactly one per submitted job. */
export type JobFate = 'completed' | 'failed' | 'timedOut' | 'lost' | 'inFlight';

/** Why a job failed, for the `failedByClass` counts. */
export type FailureClass =
  | 'http4xx'
  | 'http429'
  | 'http5xx'
  | 'connectionRefused'
  | 'connectionReset'
  | 'timeout'
  | 'malformedResponse'
  | 'jobError'
  | 'other';

export interface JobCounts {
  submitted: number;
  completed: number;
  failed: number;
  timedOut: number;
  lost: number;
  /** Jobs still running when the run stopped early (Ctrl-C, target crash). */
  inFlight: number;
  failedByClass: Partial<Record<FailureClass, number>>;
  /** 429 answers seen (and honoured) during submission, whether or not the job later ran. */
  throttled: number;
}

/** Latency summary of one stage. Percentiles come from the HDR histogram, never averaged. */
export interface StageStats {
  count: number;
  minMs: number;
  meanMs: number;
  p50Ms: number;
  p90Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  /** hdr-histogram-js compressed base64 encoding of the histogram (values in microseconds). */
  histogram: string;
}

export type StageMap = Partial<Record<StageName, StageStats>>;

export interface ThroughputSeries {
  /** Seconds since the trial's start, one point per second. */
  tSeconds: number[];
  submitted: number[];
  completed: number[];
  failed: number[];
}

export interface Throughput {
  /**
   * Measured jobs submitted over the submission window (`submissionSeconds`): from the
   * start of the measured phase until it stopped starting jobs (its duration ended, or its
   * job limit turned the next job away). The drain after that is left out, so an open load
   * reports the rate it offered.
   */
  submittedPerSecond: number;
  /**
   * Measured jobs completed over the whole measured trial (`measuredSeconds`): from the
   * start of the measured phase until the last measured job reached its fate, drain
   * included.
   */
  completedPerSecond: number;
  /** Length of the submission window, s. Absent in older run files. */
  submissionSeconds?: number;
  /** Length of the measured trial, s. Absent in older run files. */
  measuredSeconds?: number;
  series: ThroughputSeries;
}

export interface WorstJob {
  jobId: string;
  file: string;
  sizeClass: string;
  cer: number;
  wer: number;
  expectedChars: number;
  recognisedChars: number;
}

export interface AccuracySummary {
  /** Character error rate over all checked jobs: total edits / total reference characters. */
  cer: number;
  wer: number;
  jobsChecked: number;
  /** Completed jobs whose file has no ground truth. */
  jobsWithoutTruth: number;
  emptyResults: number;
  /** Worst jobs first. */
  worst: WorstJob[];
  /** Totals behind `cer` and `wer`, so summaries merge exactly (edits / reference). */
  characterEdits?: number;
  referenceChars?: number;
  wordEdits?: number;
  referenceWords?: number;
}

export interface Caveat {
  /** Stable code, e.g. `closed-loop`, `poll-resolution`, `generator-saturated`. */
  code: string;
  message: string;
}

/** A series sampled while load ran; `tSeconds` is relative to the trial start. */
export interface QueueSeries {
  tSeconds: number[];
  pending: number[];
  processing: number[];
  completed: number[];
  errors: number[];
}

export interface ProcessSeries {
  /** How the processes were chosen, e.g. `pid 1234 and children` or `name ~ gunicorn`. */
  selector: string;
  tSeconds: number[];
  processCount: number[];
  /** 100 = one full core. */
  cpuPercent: number[];
  rssBytes: number[];
  readBytesPerSecond: number[];
  writeBytesPerSecond: number[];
}

export interface HostSeries {
  tSeconds: number[];
  /** 100 = all cores busy. */
  cpuPercent: number[];
  memoryUsedBytes: number[];
  diskReadBytesPerSecond: number[];
  diskWriteBytesPerSecond: number[];
  networkReceiveBytesPerSecond: number[];
  networkTransmitBytesPerSecond: number[];
}

export interface FolderSeries {
  path: string;
  tSeconds: number[];
  files: number[];
  bytes: number[];
}

export interface Observations {
  queue: QueueSeries | null;
  processes: ProcessSeries | null;
  host: HostSeries | null;
  folders: FolderSeries[];
  /** `/api/metrics` JSON at the start and end of the trial, as the service sent it. */
  metrics: { first: unknown; last: unknown } | null;
  /** Per-file `processing_time` read from the service's result files (seconds). */
  resultFiles: ResultFilesSummary | null;
}

export interface ResultFilesSummary {
  folder: string;
  files: number;
  entries: number;
  /** Entries whose processing_time is 0 or missing: the service never measured them. */
  unmeasured: number;
  processingSeconds: { p50: number; p90: number; p99: number; max: number; mean: number } | null;
}

export interface GeneratorHealth {
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
  /** CPU used by the ocrbench process itself; 100 = one full core. */
  cpuPercent: number;
  /**
   * Open model: measured arrivals the generator woke up for more than 10 ms after their
   * intended time, for reasons of its own (not counted in `cappedJobs`).
   */
  behindScheduleJobs: number;
  /**
   * Open model: measured arrivals delayed by the in-flight cap: they waited for a free slot,
   * or fell due while an earlier arrival waited for one.
   */
  cappedJobs: number;
  /**
   * Seconds the event-loop and CPU figures cover: the run after its first second, which
   * is the generator's own start-up (loading, compiling, first connections). 0 when the
   * run was too short to judge (see `generatorJudged`); the figures then cover all of it.
   * Absent in older run files.
   */
  observedSeconds?: number;
}

/** Shortest observation window (after start-up) in which the generator's health is judged. */
export const MIN_GENERATOR_WINDOW_SECONDS = 1;

/** True when the generator's CPU and event-loop figures cover enough of the run to judge. */
export function generatorJudged(health: GeneratorHealth): boolean {
  return (
    health.observedSeconds === undefined || health.observedSeconds >= MIN_GENERATOR_WINDOW_SECONDS
  );
}

export interface SizeClassResult {
  jobs: JobCounts;
  stages: StageMap;
  accuracy: AccuracySummary | null;
}

/** One repetition of the scenario. Comparisons treat trials as the independent samples. */
export interface TrialResult {
  index: number;
  startedAt: string;
  endedAt: string;
  durationSeconds: number;
  /** Jobs run before measurement began and left out of every number below. */
  warmupJobs: number;
  jobs: JobCounts;
  throughput: Throughput;
  stages: StageMap;
  bySizeClass: Record<string, SizeClassResult>;
  accuracy: AccuracySummary | null;
  generator: GeneratorHealth;
  observations: Observations;
  caveats: Caveat[];
}

export interface RunFile {
  schemaVersion: 1;
  id: string;
  tool: { name: 'ocrbench'; version: string };
  scenario: { name: string; file: string; sha256: string; tags: Record<string, string> };
  target: { url: string; profile: string; builtin: Record<string, unknown> | null };
  host: { hostname: string; cpus: number; cpuModel: string; memoryBytes: number; node: string };
  startedAt: string;
  endedAt: string;
  /** False when the run stopped early; `stopReason` says why. */
  complete: boolean;
  stopReason: 'finished' | 'interrupted' | 'targetDied' | 'error';
  trials: TrialResult[];
  /** All trials merged: histograms merged, counts summed. */
  summary: Omit<TrialResult, 'index' | 'observations' | 'generator'>;
  caveats: Caveat[];
  /** Relative path of the per-job log (one JSON object per line). */
  jobsLog: string;
}

/**
 * Why an open-model job was sent after its intended time: held by the `maxInFlight` cap
 * (it waited for a slot, or fell due while an earlier arrival did), or the generator
 * woke up for it more than 10 ms late on its own.
 */
export type StartDelayCause = 'inFlightCap' | 'behindSchedule';

/** One line of `jobs.ndjson`. */
export interface JobRecord {
  trial: number;
  jobId: string | null;
  file: string;
  sizeClass: string;
  bytes: number;
  fate: JobFate;
  failureClass?: FailureClass;
  error?: string;
  warmup: boolean;
  /**
   * The job's start, ms since the trial start: its intended time (open model; closed: when
   * its client took it), or when its request was sent if that was earlier. End-to-end runs
   * from here.
   */
  scheduledAtMs: number;
  /** Start -> upload request sent: waiting inside ocrbench (in-flight cap, late timer), ms. */
  startDelayMs?: number;
  /** Open model: why the request left late, when it did (see GeneratorHealth's counts). */
  startDelayCause?: StartDelayCause;
  /** Upload request sent -> upload answered (retries after 429/503 included), ms. */
  uploadMs?: number;
  queueWaitMs?: number;
  processingMs?: number;
  resultFetchMs?: number;
  endToEndMs?: number;
  /** Where queueWait/processing came from: server timestamps or poll observation. */
  timingSource?: 'server' | 'poll';
  /**
   * Server timings that cannot be true (negative processing_time, timestamps out of order,
   * a stage longer than end-to-end), as reported; the stage times above are clamped.
   */
  impossibleTimings?: string[];
  /**
   * Result fields the service sent with the wrong type (e.g. `text: 12345`,
   * `processing_time: "fast"`), read as absent. The job still counts as completed.
   */
  malformedFields?: string[];
  cer?: number;
  wer?: number;
}
