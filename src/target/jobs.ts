/** One uploaded file and what became of it. Times are epoch ms. */
export interface TargetJob {
  id: string;
  filename: string;
  format: 'png' | 'jpeg' | 'tiff' | 'pdf';
  uploadPath: string;
  bytes: number;
  batchId: string | null;
  status: 'queued' | 'processing' | 'completed' | 'error';
  enqueuedAt: number;
  startedAt: number | null;
  ocrDoneAt: number | null;
  /** When the result was saved (the result file carries it too), epoch ms. */
  finishedAt: number | null;
  /** True once the result is saved and served with 200. */
  done: boolean;
  /** Engine creation inside this job (reload-model only), s; part of processingSeconds. */
  modelLoadSeconds: number | null;
  /** Wait for the global lock inside this job (queue-lock only), s; part of processingSeconds. */
  lockWaitSeconds: number | null;
  /** OCR time (lock wait if any + read + decode + model load if any + recognise), s. */
  processingSeconds: number | null;
  text: string | null;
  confidence: number | null;
  error: string | null;
}

export interface Batch {
  id: string;
  jobIds: string[];
  createdAt: number;
}

/** The job table and the FIFO queue of waiting jobs, bounded by `limit`. */
export class JobStore {
  readonly jobs = new Map<string, TargetJob>();
  readonly batches = new Map<string, Batch>();
  private readonly waiting: TargetJob[] = [];
  private readonly wakeups: Array<() => void> = [];
  completed = 0;
  errors = 0;
  processing = 0;

  constructor(readonly limit: number) {}

  get pending(): number {
    return this.waiting.length;
  }

  /** Room for `count` more jobs? */
  hasRoom(count: number): boolean {
    return this.waiting.length + count <= this.limit;
  }

  enqueue(job: TargetJob): void {
    this.jobs.set(job.id, job);
    this.waiting.push(job);
    this.wakeups.shift()?.();
  }

  /** The next job, waiting for one if the queue is empty; null once `closed`. */
  async take(closed: () => boolean): Promise<TargetJob | null> {
    for (;;) {
      if (closed()) return null;
      const job = this.waiting.shift();
      if (job) return job;
      await new Promise<void>((wake) => this.wakeups.push(wake));
    }
  }

  /** Wakes every idle worker (shutdown). */
  wakeAll(): void {
    for (const wake of this.wakeups.splice(0)) wake();
  }

  /** Forgets jobs finished before `beforeMs` (retention). */
  forget(beforeMs: number): void {
    for (const [id, job] of this.jobs) {
      if (job.done && job.finishedAt! < beforeMs) this.jobs.delete(id);
    }
    for (const [id, batch] of this.batches) {
      if (batch.jobIds.every((jobId) => !this.jobs.has(jobId))) this.batches.delete(id);
    }
  }
}

/** The result JSON of a job, as served and as written to resultados_ocr_<id>.json. */
export function resultOf(job: TargetJob): Record<string, unknown> {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    request_id: job.id,
    filename: job.filename,
    status: job.status,
    text: job.text,
    confidence: job.confidence,
    processing_time: job.processingSeconds,
    enqueued_at: iso(job.enqueuedAt),
    started_at: iso(job.startedAt),
    ocr_done_at: iso(job.ocrDoneAt),
    finished_at: iso(job.finishedAt),
    error: job.error,
    extraction_stats: {
      processing_time: job.processingSeconds,
      model_load_time: job.modelLoadSeconds,
      lock_wait_time: job.lockWaitSeconds,
      bytes: job.bytes,
    },
  };
}
