import type { TargetJob } from './jobs.ts';

/** Upper bounds of the processing-time histogram buckets, s (Prometheus style). */
export const BUCKETS_SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120];

/** What the server knows at the moment /api/metrics is asked. */
export interface MetricsState {
  jobs: { pending: number; processing: number; completed: number; errors: number };
  workers: number;
  threadsPerWorker: number;
  engine: string;
  languages: string;
  faults: string[];
  /** Counters that show each fault's mechanism at work (docs/target.md). */
  faultState: Record<string, number>;
}

/** Counters and timings served at /api/metrics, in JSON or Prometheus text. */
export class TargetMetrics {
  private readonly startedAt = Date.now();
  private readonly busySeconds: number[];
  private readonly bucketCounts = BUCKETS_SECONDS.map(() => 0);
  private processingSum = 0;
  private processingCount = 0;
  private queueWaitSum = 0;
  /** Engines created, and the time that took, s (at start-up, or per job: reload-model). */
  modelLoads = 0;
  modelLoadSeconds = 0;
  /** Time the event loop spent in the `event-loop-block` scan, ms, and how often. */
  eventLoopBlockedMs = 0;
  eventLoopBlocks = 0;
  uploadsRejected: Record<string, number> = {};

  constructor(workers: number) {
    this.busySeconds = Array.from({ length: workers }, () => 0);
  }

  workerBusy(index: number, seconds: number): void {
    this.busySeconds[index] += seconds;
  }

  modelLoaded(seconds: number): void {
    this.modelLoads++;
    this.modelLoadSeconds += seconds;
  }

  blocked(ms: number): void {
    this.eventLoopBlocks++;
    this.eventLoopBlockedMs += ms;
  }

  jobDone(job: TargetJob): void {
    const seconds = job.processingSeconds ?? 0;
    this.processingSum += seconds;
    this.processingCount++;
    if (job.startedAt !== null) this.queueWaitSum += (job.startedAt - job.enqueuedAt) / 1000;
    // Cumulative buckets: a job counts in every bucket whose bound it is under.
    BUCKETS_SECONDS.forEach((bound, i) => {
      if (seconds <= bound) this.bucketCounts[i]++;
    });
  }

  rejected(reason: string): void {
    this.uploadsRejected[reason] = (this.uploadsRejected[reason] ?? 0) + 1;
  }

  /** The JSON document. */
  json(state: MetricsState): Record<string, unknown> {
    const memory = process.memoryUsage();
    return {
      uptime_seconds: (Date.now() - this.startedAt) / 1000,
      queue_depth: state.jobs.pending,
      jobs: state.jobs,
      workers: state.workers,
      threads_per_worker: state.threadsPerWorker,
      engine: state.engine,
      languages: state.languages,
      faults: state.faults,
      fault_state: {
        ...state.faultState,
        model_loads: this.modelLoads,
        model_load_seconds: this.modelLoadSeconds,
        event_loop_blocks: this.eventLoopBlocks,
        event_loop_blocked_ms: this.eventLoopBlockedMs,
      },
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
      memory: {
        rss_bytes: memory.rss,
        heap_used_bytes: memory.heapUsed,
        external_bytes: memory.external,
      },
    };
  }

  /** Prometheus text exposition (format 0.0.4) of the same numbers. */
  prometheus(state: MetricsState): string {
    const lines: string[] = [];
    const metric = (name: string, type: string, help: string, samples: string[]) =>
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...samples);
    const label = (value: string) => value.replace(/[\\"]/g, '\\$&');
    const { jobs } = state;
    metric('ocr_target_info', 'gauge', 'Settings of the built-in target.', [
      `ocr_target_info{engine="${label(state.engine)}",languages="${label(state.languages)}",` +
        `faults="${label(state.faults.join(','))}"} 1`,
    ]);
    metric('ocr_queue_depth', 'gauge', 'Jobs waiting for a worker.', [
      `ocr_queue_depth ${jobs.pending}`,
    ]);
    metric('ocr_jobs', 'gauge', 'Jobs by state.', [
      `ocr_jobs{state="queued"} ${jobs.pending}`,
      `ocr_jobs{state="processing"} ${jobs.processing}`,
      `ocr_jobs{state="completed"} ${jobs.completed}`,
      `ocr_jobs{state="error"} ${jobs.errors}`,
    ]);
    metric('ocr_workers', 'gauge', 'OCR workers.', [`ocr_workers ${state.workers}`]);
    metric('ocr_threads_per_worker', 'gauge', 'Engine threads per worker.', [
      `ocr_threads_per_worker ${state.threadsPerWorker}`,
    ]);
    metric('ocr_processing_seconds', 'histogram', 'OCR time per job, s.', [
      ...BUCKETS_SECONDS.map(
        (bound, i) => `ocr_processing_seconds_bucket{le="${bound}"} ${this.bucketCounts[i]}`,
      ),
      `ocr_processing_seconds_bucket{le="+Inf"} ${this.processingCount}`,
      `ocr_processing_seconds_sum ${this.processingSum}`,
      `ocr_processing_seconds_count ${this.processingCount}`,
    ]);
    metric(
      'ocr_worker_busy_seconds_total',
      'counter',
      'Time each worker spent on jobs, s.',
      this.busySeconds.map((s, i) => `ocr_worker_busy_seconds_total{worker="${i}"} ${s}`),
    );
    metric('ocr_model_loads_total', 'counter', 'OCR engines created.', [
      `ocr_model_loads_total ${this.modelLoads}`,
    ]);
    metric('ocr_fault_state', 'gauge', 'Counters of the active faults (docs/target.md).', [
      ...Object.entries(state.faultState).map(([k, v]) => `ocr_fault_state{name="${k}"} ${v}`),
      `ocr_fault_state{name="event_loop_blocked_ms"} ${this.eventLoopBlockedMs}`,
    ]);
    metric('process_uptime_seconds', 'gauge', 'Time since the target started, s.', [
      `process_uptime_seconds ${(Date.now() - this.startedAt) / 1000}`,
    ]);
    metric('process_resident_memory_bytes', 'gauge', 'Resident memory, bytes.', [
      `process_resident_memory_bytes ${process.memoryUsage().rss}`,
    ]);
    return `${lines.join('\n')}\n`;
  }
}
