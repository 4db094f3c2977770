import type { FakeJob, FakeJobState, JobBook } from './job-book.ts';

/**
 * The JSON bodies of each service shape the fake server speaks. Timestamps are ISO 8601
 * (ocrlotes, batch) or epoch seconds as floats (the Celery-like shape, as Python's
 * `time.time()` gives them); processing time is in seconds except where named `_ms`.
 */

export interface ShapeOptions {
  timestamps: boolean;
  reportProcessingTime: boolean;
  /** Fields that replace the true ones in a finished job's result (impossible timings). */
  misreport?: (job: FakeJob) => Record<string, unknown> | null;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** One finished job as ocrlotes reports it (also an entry of batch and sync answers). */
export function ocrlotesResult(job: FakeJob, state: FakeJobState, options: ShapeOptions) {
  const body: Record<string, unknown> = {
    request_id: job.id,
    filename: job.name,
    status: state === 'error' ? 'error' : 'completed',
    text: state === 'error' ? '' : job.text,
    confidence: 91.5,
    // 0 is what a service that never measured it sends (field notes).
    processing_time: options.reportProcessingTime ? job.processingMs / 1000 : 0,
  };
  if (state === 'error') body.error = `fake failure of job ${job.index}`;
  if (options.timestamps) {
    body.enqueued_at = iso(job.enqueuedAtMs);
    body.started_at = iso(job.startedAtMs);
    body.finished_at = iso(job.finishedAtMs);
  }
  return { ...body, ...options.misreport?.(job) };
}

/** A batch entry: processing time under `extraction_stats`, as the batch results carry it. */
export function batchResult(job: FakeJob, state: FakeJobState, options: ShapeOptions) {
  const { processing_time: processingTime, ...rest } = ocrlotesResult(job, state, options);
  return { ...rest, extraction_stats: { processing_time: processingTime, pages: 1 } };
}

export interface BatchView {
  state: 'queued' | 'processing' | 'completed' | 'unknown';
  total: number;
  completed: number;
  errors: number;
}

/** The state of a batch: unknown once any of its jobs vanished. */
export function batchView(jobs: FakeJob[], book: JobBook, nowMs: number): BatchView {
  let completed = 0;
  let errors = 0;
  let started = 0;
  let vanished = false;
  for (const job of jobs) {
    const state = book.stateOf(job, nowMs);
    if (state !== 'queued') started++;
    if (state === 'completed') completed++;
    if (state === 'error') errors++;
    if (state === 'vanished') vanished = true;
  }
  const total = jobs.length;
  if (vanished) return { state: 'unknown', total, completed, errors };
  const finished = completed + errors === total;
  const state = finished ? 'completed' : started > 0 ? 'processing' : 'queued';
  return { state, total, completed, errors };
}

export function batchStatusBody(batchId: string, view: BatchView) {
  return {
    batch_id: batchId,
    status: view.state,
    total: view.total,
    completed: view.completed,
    errors: view.errors,
    progress:
      view.total === 0 ? 100 : Math.round(((view.completed + view.errors) / view.total) * 100),
  };
}

const CELERY_STATES: Record<FakeJobState, string> = {
  queued: 'PENDING',
  processing: 'STARTED',
  completed: 'SUCCESS',
  error: 'FAILURE',
  vanished: 'UNKNOWN',
};

/** A Celery-like task (FastAPI `GET /tasks/{id}`): processing time in ms, epoch seconds. */
export function celeryTask(job: FakeJob, state: FakeJobState, options: ShapeOptions) {
  const finished = state === 'completed';
  return {
    task_id: job.id,
    state: CELERY_STATES[state],
    result: finished
      ? {
          text: job.text,
          processing_time_ms: options.reportProcessingTime ? job.processingMs : 0,
          ...(options.timestamps
            ? {
                enqueued_at: job.enqueuedAtMs / 1000,
                started_at: job.startedAtMs / 1000,
                finished_at: job.finishedAtMs / 1000,
              }
            : {}),
          ...options.misreport?.(job),
        }
      : null,
    error: state === 'error' ? `fake failure of job ${job.index}` : null,
  };
}
