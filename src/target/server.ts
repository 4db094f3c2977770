import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { JobStore, resultOf, type TargetJob } from './jobs.ts';
import { effectiveThreads, effectiveWorkers, type TargetOptions } from './options.ts';
import { Storage } from './storage.ts';
import { TargetMetrics, type MetricsState } from './metrics.ts';
import { WorkerPool } from './pool.ts';
import { extensionOf, formatOf, readUpload, safeDisplayName } from './upload.ts';
import { blockingImageScan } from './decode-blocking.ts';

/** The built-in OCR service: HTTP routes over a job store, a worker pool and storage. */
export class TargetService {
  readonly store: JobStore;
  readonly storage: Storage;
  readonly metrics: TargetMetrics;
  readonly pool: WorkerPool;
  readonly workers: number;
  readonly server: Server;
  private accepting = true;

  constructor(
    readonly options: TargetOptions,
    dataDir: string,
  ) {
    this.workers = effectiveWorkers(options);
    this.store = new JobStore(options.queueLimit);
    this.storage = new Storage(dataDir, options.faults);
    this.metrics = new TargetMetrics(this.workers);
    this.pool = new WorkerPool(options, this.workers, this.store, this.storage, this.metrics);
    this.server = createServer((request, response) => {
      this.route(request, response).catch((error: unknown) => {
        if (!response.headersSent) send(response, 500, { error: String(error) });
      });
    });
  }

  async start(): Promise<void> {
    await this.storage.create();
    await this.pool.start();
  }

  /** Stops accepting uploads (503), lets the workers finish the queue up to `graceMs`. */
  async drain(graceMs: number): Promise<{ queued: number; processing: number }> {
    this.accepting = false;
    const deadline = Date.now() + graceMs;
    while (this.store.pending + this.store.processing > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return { queued: this.store.pending, processing: this.store.processing };
  }

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://target');
    const path = url.pathname.replace(/\/+$/, '');
    const method = request.method ?? 'GET';
    if (method === 'POST' && path === '/api/ocr/process_image')
      return this.upload(request, response, false);
    if (method === 'POST' && path === '/api/ocr/process_batch')
      return this.upload(request, response, true);
    request.resume();
    if (method !== 'GET')
      return send(response, 405, { error: `${method} ${path} is not supported` });
    const id = path.split('/')[4];
    if (path.startsWith('/api/ocr/result/') && id)
      return this.result(response, decodeURIComponent(id));
    if (path.startsWith('/api/ocr/batch_status/') && id) return this.batchStatus(response, id);
    if (path.startsWith('/api/ocr/batch_results/') && id) return this.batchResults(response, id);
    if (path === '/api/ocr/queue/status') {
      return send(response, 200, { queue_status: this.queueStatus(), workers: this.workers });
    }
    if (path === '/api/metrics') return this.metricsRoute(request, response, url);
    if (path === '' || path === '/api/health') {
      return send(response, 200, { status: this.accepting ? 'ok' : 'draining' });
    }
    return send(response, 404, { error: `no route ${path}` });
  }

  private queueStatus() {
    return {
      pending: this.store.pending,
      processing: this.store.processing,
      completed: this.store.completed,
      errors: this.store.errors,
    };
  }

  private async upload(request: IncomingMessage, response: ServerResponse, batch: boolean) {
    if (!this.accepting) {
      request.resume();
      return send(response, 503, { error: 'shutting down' }, { 'retry-after': '5' });
    }
    const received = await readUpload(request, this.options.maxUploadBytes);
    if (received.kind === 'tooLarge') {
      this.metrics.rejected('tooLarge');
      return send(response, 413, {
        error: `${safeDisplayName(received.filename)} is over ${this.options.maxUploadBytes} bytes`,
      });
    }
    if (received.kind === 'bad') return send(response, 400, { error: received.message });
    if (received.files.length === 0) {
      return send(response, 400, { error: 'no files: send them in the multipart field "files"' });
    }
    const formats = received.files.map((file) => formatOf(file.bytes));
    const unsupported = formats.findIndex((format) => format === null);
    if (unsupported >= 0) {
      this.metrics.rejected('unsupportedType');
      return send(response, 415, {
        error:
          `${safeDisplayName(received.files[unsupported].filename)} is not PNG, JPEG, ` +
          'TIFF or PDF (checked by content)',
      });
    }
    if (!this.store.hasRoom(received.files.length)) {
      this.metrics.rejected('queueFull');
      const seconds = Math.max(1, Math.ceil(this.store.pending / Math.max(1, this.workers)));
      return send(response, 429, { error: 'queue full' }, { 'retry-after': String(seconds) });
    }
    const batchId = batch ? randomUUID() : null;
    const jobs: TargetJob[] = [];
    for (const [index, file] of received.files.entries()) {
      const format = formats[index]!;
      if (this.options.faults.includes('event-loop-block')) {
        const from = performance.now();
        blockingImageScan(file.bytes);
        this.metrics.blocked(performance.now() - from);
      }
      const id = randomUUID();
      const uploadPath = await this.storage.saveUpload(`${id}.${extensionOf(format)}`, file.bytes);
      jobs.push({
        id,
        filename: safeDisplayName(file.filename),
        format,
        uploadPath,
        bytes: file.bytes.length,
        batchId,
        status: 'queued',
        enqueuedAt: Date.now(),
        startedAt: null,
        ocrDoneAt: null,
        finishedAt: null,
        done: false,
        processingSeconds: null,
        modelLoadSeconds: null,
        lockWaitSeconds: null,
        text: null,
        confidence: null,
        error: null,
      });
    }
    if (batchId) {
      this.store.batches.set(batchId, {
        id: batchId,
        jobIds: jobs.map((j) => j.id),
        createdAt: Date.now(),
      });
    }
    for (const job of jobs) this.store.enqueue(job);
    if (batchId) return send(response, 202, { batch_id: batchId, total: jobs.length });
    return send(response, 202, {
      request_ids: jobs.map((job) => job.id),
      files: jobs.map((job) => ({ request_id: job.id, filename: job.filename })),
    });
  }

  private result(response: ServerResponse, id: string) {
    const job = this.store.jobs.get(id);
    if (!job) return send(response, 404, { status: 'unknown', error: 'unknown request id' });
    if (!job.done) {
      return send(response, 404, { status: job.status === 'queued' ? 'queued' : 'processing' });
    }
    return send(response, 200, resultOf(job));
  }

  private batchJobs(id: string): TargetJob[] | null {
    const batch = this.store.batches.get(id);
    if (!batch) return null;
    return batch.jobIds
      .map((jobId) => this.store.jobs.get(jobId))
      .filter((j): j is TargetJob => !!j);
  }

  private batchStatus(response: ServerResponse, id: string) {
    const jobs = this.batchJobs(id);
    if (!jobs) return send(response, 404, { status: 'unknown', error: 'unknown batch id' });
    const done = jobs.filter((job) => job.done);
    const errors = done.filter((job) => job.status === 'error').length;
    return send(response, 200, {
      batch_id: id,
      status: done.length === jobs.length ? 'completed' : 'processing',
      total: jobs.length,
      completed: done.length - errors,
      errors,
      progress: jobs.length === 0 ? 1 : done.length / jobs.length,
    });
  }

  private batchResults(response: ServerResponse, id: string) {
    const jobs = this.batchJobs(id);
    if (!jobs) return send(response, 404, { status: 'unknown', error: 'unknown batch id' });
    if (jobs.some((job) => !job.done)) {
      return send(response, 409, { error: 'batch still processing', batch_id: id });
    }
    return send(response, 200, { batch_id: id, results: jobs.map(resultOf) });
  }

  private metricsRoute(request: IncomingMessage, response: ServerResponse, url: URL) {
    const state: MetricsState = {
      jobs: this.queueStatus(),
      workers: this.workers,
      threadsPerWorker: effectiveThreads(this.options),
      engine: this.options.engine,
      languages: this.options.languages,
      faults: this.options.faults,
      faultState: {
        leaked_bytes: this.pool.leakedBytes,
        engines_replaced: this.pool.enginesReplaced,
        sync_writes: this.storage.syncWrites,
        sync_write_ms: this.storage.syncWriteMs,
        lock_acquired: this.storage.lockAcquired,
        lock_contended: this.storage.lockContended,
        lock_waited_ms: this.storage.lockWaitedMs,
        upload_folder_entries_listed: this.storage.lastListing,
      },
    };
    const prometheus =
      url.searchParams.get('format') === 'prometheus' ||
      (request.headers.accept ?? '').includes('text/plain');
    if (!prometheus) return send(response, 200, this.metrics.json(state));
    const text = this.metrics.prometheus(state);
    response.writeHead(200, {
      'content-type': 'text/plain; version=0.0.4; charset=utf-8',
      'content-length': Buffer.byteLength(text),
    });
    response.end(text);
  }
}

function send(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}
