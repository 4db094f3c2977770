/**
 * The fake service's jobs. Each job's timeline is fixed when it is accepted (no timers):
 * with `workers` set, jobs queue first-in first-out for the earliest free worker; without
 * it, every job starts at once. Its state at any moment follows from the clock.
 */

/** What predicates and text functions are told about a job. */
export interface FakeJobInfo {
  /** 1-based number of the job in the order accepted. */
  index: number;
  /** File name as uploaded. */
  name: string;
  /** Bytes of the uploaded file. */
  bytes: number;
}

export interface FakeJob extends FakeJobInfo {
  id: string;
  batchId: string | null;
  enqueuedAtMs: number;
  startedAtMs: number;
  /** Infinity for a job that never finishes. */
  finishedAtMs: number;
  processingMs: number;
  fails: boolean;
  vanishes: boolean;
  text: string;
}

export type FakeJobState = 'queued' | 'processing' | 'completed' | 'error' | 'vanished';

export interface JobBookOptions {
  processingMs: number | ((job: FakeJobInfo) => number);
  workers: number | undefined;
  failEvery: number | undefined;
  neverFinish: ((job: FakeJobInfo) => boolean) | undefined;
  vanish: ((job: FakeJobInfo) => boolean) | undefined;
  text: string | ((job: FakeJobInfo) => string);
}

export class JobBook {
  readonly jobs = new Map<string, FakeJob>();
  private accepted = 0;
  /** When each worker is next free, ms (epoch). */
  private readonly workerFreeAtMs: number[];

  constructor(private readonly options: JobBookOptions) {
    this.workerFreeAtMs = new Array(options.workers ?? 0).fill(0);
  }

  /** Accepts one file; ids are `<prefix><job number>`, deterministic for a fresh server. */
  accept(name: string, bytes: number, nowMs: number, batchId: string | null = null): FakeJob {
    const info: FakeJobInfo = { index: ++this.accepted, name, bytes };
    const { options } = this;
    const processingMs =
      typeof options.processingMs === 'function'
        ? options.processingMs(info)
        : options.processingMs;
    const neverFinishes = options.neverFinish?.(info) ?? false;
    let startedAtMs = nowMs;
    if (this.workerFreeAtMs.length > 0 && !neverFinishes) {
      // A job that never finishes holds no worker: it must not stall the jobs behind it.
      const worker = this.earliestWorker();
      startedAtMs = Math.max(nowMs, this.workerFreeAtMs[worker]);
      this.workerFreeAtMs[worker] = startedAtMs + processingMs;
    }
    const job: FakeJob = {
      ...info,
      id: `job-${info.index}`,
      batchId,
      enqueuedAtMs: nowMs,
      startedAtMs,
      finishedAtMs: neverFinishes ? Infinity : startedAtMs + processingMs,
      processingMs,
      fails: options.failEvery !== undefined && info.index % options.failEvery === 0,
      vanishes: options.vanish?.(info) ?? false,
      text: typeof options.text === 'function' ? options.text(info) : options.text,
    };
    this.jobs.set(job.id, job);
    return job;
  }

  stateOf(job: FakeJob, nowMs: number): FakeJobState {
    if (nowMs < job.startedAtMs) return 'queued';
    if (nowMs < job.finishedAtMs) return 'processing';
    if (job.vanishes) return 'vanished';
    return job.fails ? 'error' : 'completed';
  }

  /** Queue counters as `GET /api/ocr/queue/status` reports them. */
  counts(nowMs: number) {
    const counts = { pending: 0, processing: 0, completed: 0, errors: 0 };
    for (const job of this.jobs.values()) {
      const state = this.stateOf(job, nowMs);
      if (state === 'queued') counts.pending++;
      else if (state === 'processing') counts.processing++;
      else if (state === 'completed') counts.completed++;
      else if (state === 'error') counts.errors++;
    }
    return counts;
  }

  private earliestWorker(): number {
    let best = 0;
    for (let index = 1; index < this.workerFreeAtMs.length; index++) {
      if (this.workerFreeAtMs[index] < this.workerFreeAtMs[best]) best = index;
    }
    return best;
  }
}
