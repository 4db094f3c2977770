import type { TargetJob } from './jobs.ts';

/** Upper bounds of the processing-time histogram buckets, s (Prometheus style). */
const BUCKETS_SECONDS = [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120];

/** Counters and timings served at /api/metrics, in JSON or Prometheus text. */
export class TargetMetrics {
  private readonly startedAt = Date.now();
  private readonly busySeconds: number[];
  private readonly bucketCounts = BUCKETS_SECONDS.map(() => 0);
  private processingSum = 0;
  private processingCount = 0;
  private queueWaitSum = 0;
  uploadsRejected: Record<string, number> = {};

  constructor(workers: number) {
    this.busySeconds = Array.from({ length: workers }, () => 0);
  }

  workerBusy(index: number, seconds: number): void {
    this.busySeconds[index] += seconds;
  }

  jobDone(job: TargetJob): void {
    const seconds = job.processingSeconds ?? 0;
    this.processingSum += seconds;
    this.processingCount++;
    if (job.startedAt !== null) this.queueWaitSum += (job.startedAt - job.enqueuedAt) / 1000;
    BUCKETS_SECONDS.forEach((bound, i) => {
      if (seconds <= bound) this.bucketCounts[i]++;
    });
  }

  rejected(reason: string): void {
    this.uploadsRejected[reason] = (this.uploadsRejected[reason] ?? 0) + 1;
  }

  /** The JSON document; `extra` carries queue state and settings from the server. */
  json(extra: Record<string, unknown>): Record<string, unknown> {
    const memory = process.memoryUsage();
    return {
      uptime_seconds: (Date.now() - this.startedAt) / 1000,
      ...extra,
      processing_time_seconds: {
        count: this.processingCount,
        sum: this.processingSum,
        buckets: Object.fromEntries(
          BUCKETS_SECONDS.map((b, i) => [String(b), this.bucketCounts[i]]),
        ),
      },
      queue_wait_seconds_sum: this.queueWaitSum,
      worker_busy_seconds: this.busySeconds,
      uploads_rejected: this.uploadsRejected,
      memory: { rss_bytes: memory.rss, heap_used_bytes: memory.heapUsed },
    };
  }

  /** Prometheus text exposition of the same numbers. */
  prometheus(extra: {
    pending: number;
    processing: number;
    completed: number;
    errors: number;
    workers: number;
  }): string {
    const lines: string[] = [];
    const metric = (name: string, type: string, help: string, samples: string[]) =>
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...samples);
    metric('ocr_queue_depth', 'gauge', 'Jobs waiting for a worker.', [
      `ocr_queue_depth ${extra.pending}`,
    ]);
    metric('ocr_jobs', 'gauge', 'Jobs by state.', [
      `ocr_jobs{state="processing"} ${extra.processing}`,
      `ocr_jobs{state="completed"} ${extra.completed}`,
      `ocr_jobs{state="error"} ${extra.errors}`,
    ]);
    metric('ocr_workers', 'gauge', 'OCR workers.', [`ocr_workers ${extra.workers}`]);
    let cumulative = 0;
    const buckets = BUCKETS_SECONDS.map((bound, i) => {
      cumulative = this.bucketCounts[i];
      return `ocr_processing_seconds_bucket{le="${bound}"} ${cumulative}`;
    });
    metric('ocr_processing_seconds', 'histogram', 'OCR time per job.', [
      ...buckets,
      `ocr_processing_seconds_bucket{le="+Inf"} ${this.processingCount}`,
      `ocr_processing_seconds_sum ${this.processingSum}`,
      `ocr_processing_seconds_count ${this.processingCount}`,
    ]);
    metric(
      'ocr_worker_busy_seconds_total',
      'counter',
      'Time each worker spent on jobs.',
      this.busySeconds.map((s, i) => `ocr_worker_busy_seconds_total{worker="${i}"} ${s}`),
    );
    return `${lines.join('\n')}\n`;
  }
}
