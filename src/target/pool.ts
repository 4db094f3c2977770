import { readFile } from 'node:fs/promises';
import { TimeoutError, withTimeout, type OcrEngine, type Recognised } from './engine.ts';
import { debug } from '../util/log.ts';
import { createTesseractJsEngine, offlineLanguageFolder } from './engine-tesseractjs.ts';
import { createTesseractCliEngine } from './engine-cli.ts';
import { JobStore, resultOf, type TargetJob } from './jobs.ts';
import type { TargetOptions } from './options.ts';
import type { Storage } from './storage.ts';
import type { TargetMetrics } from './metrics.ts';
import { pdfPages } from './pdf.ts';

/**
 * N workers, each with its own engine created once (not per job), taking jobs from the
 * queue in order. `reload-model` creates and terminates the engine for every job instead.
 */
export class WorkerPool {
  private closed = false;
  private readonly loops: Promise<void>[] = [];
  private languageFolder = '';
  /** Buffers retained forever by the `memory-leak` fault. */
  private readonly leaked: Buffer[] = [];
  leakedBytes = 0;
  /** Engines replaced after a page timed out. */
  enginesReplaced = 0;

  constructor(
    private readonly options: TargetOptions,
    private readonly workers: number,
    private readonly store: JobStore,
    private readonly storage: Storage,
    private readonly metrics: TargetMetrics,
  ) {}

  private has(fault: TargetOptions['faults'][number]): boolean {
    return this.options.faults.includes(fault);
  }

  async start(): Promise<void> {
    if (this.options.engine === 'tesseract.js') {
      this.languageFolder = offlineLanguageFolder(this.options.languages, this.storage.models);
    }
    // Create engines up front so the first job does not pay the model load.
    const engines = this.has('reload-model')
      ? Array.from({ length: this.workers }, () => null)
      : await Promise.all(Array.from({ length: this.workers }, () => this.newEngine()));
    engines.forEach((engine, index) => this.loops.push(this.loop(index, engine)));
  }

  /** Stops taking jobs; jobs in progress finish. */
  async stop(): Promise<void> {
    this.closed = true;
    this.store.wakeAll();
    await Promise.all(this.loops);
  }

  private async newEngine(): Promise<OcrEngine> {
    const from = performance.now();
    let engine: OcrEngine;
    if (this.options.engine === 'tesseract-cli') {
      // `oversubscribe` removes the OpenMP limit: every process runs tesseract's own team
      // of 4 threads (TESSERACT_CLI_MAX_THREADS), however many cores there are.
      const threads = this.has('oversubscribe') ? null : this.options.threadsPerWorker;
      engine = createTesseractCliEngine(this.options.languages, threads);
    } else {
      engine = await createTesseractJsEngine(this.options.languages, this.languageFolder);
    }
    this.metrics.modelLoaded((performance.now() - from) / 1000);
    return engine;
  }

  private async loop(index: number, engine: OcrEngine | null): Promise<void> {
    for (;;) {
      const job = await this.store.take(() => this.closed);
      if (!job) break;
      const busyFrom = performance.now();
      const { hung, lockWaitedMs } = await this.process(job, engine);
      if (hung && engine) engine = await this.replace(engine);
      // Waiting for the queue-lock is not work: busy time shows the workers underused.
      this.metrics.workerBusy(index, (performance.now() - busyFrom - lockWaitedMs) / 1000);
    }
    await engine?.close();
  }

  /** A new engine for a worker whose engine hung; none (one per job) if that fails. */
  private async replace(hung: OcrEngine): Promise<OcrEngine | null> {
    this.enginesReplaced++;
    // Not awaited: terminating a busy engine may itself never finish.
    void hung.close().catch(() => {});
    try {
      return await this.newEngine();
    } catch (error) {
      debug('target: no new engine after a hang (%s); one per job', (error as Error).message);
      return null;
    }
  }

  /**
   * Runs one job: `hung` when the engine hung on a page (pageTimeoutMs); `lockWaitedMs`,
   * the wait for the queue-lock (0 without that fault).
   */
  private async process(
    job: TargetJob,
    sharedEngine: OcrEngine | null,
  ): Promise<{ hung: boolean; lockWaitedMs: number }> {
    job.status = 'processing';
    job.startedAt = Date.now();
    this.store.processing++;
    // processing_time: (queue-lock wait) + (temp-leak scan) + read + decode (PDF pages)
    // + model load (reload-model) + OCR.
    const ocrStart = performance.now();
    const outcome = await this.storage.withJobFiles(async (lockWaitedMs) => {
      if (this.has('queue-lock')) job.lockWaitSeconds = lockWaitedMs / 1000;
      const hung = await this.recogniseJob(job, sharedEngine);
      job.ocrDoneAt = Date.now();
      job.processingSeconds = (performance.now() - ocrStart) / 1000;
      await this.finish(job);
      return { hung, lockWaitedMs };
    });
    this.store.processing--;
    return outcome;
  }

  /** Reads the upload and recognises its pages into `job`; true when the engine hung. */
  private async recogniseJob(job: TargetJob, sharedEngine: OcrEngine | null): Promise<boolean> {
    let engine = sharedEngine;
    let hung = false;
    try {
      // Naive code lists the upload folder to find the job's file; with nothing ever
      // removed the listing grows by one file per job.
      if (this.has('temp-leak')) this.storage.scanUploads();
      const upload = await readFile(job.uploadPath);
      const images = job.format === 'pdf' ? await pdfPages(upload) : [upload];
      if (this.has('memory-leak'))
        this.retain(job.format === 'pdf' ? [upload, ...images] : [upload]);
      if (!engine) {
        const loadFrom = performance.now();
        engine = await this.newEngine();
        job.modelLoadSeconds = (performance.now() - loadFrom) / 1000;
      }
      const pages: Recognised[] = [];
      for (const image of images) {
        const reading = engine.recognise(image);
        const page = await withTimeout(reading, this.options.pageTimeoutMs, 'reading a page');
        pages.push(page);
      }
      job.text = pages.map((page) => page.text).join('\f');
      job.confidence = pages.reduce((sum, p) => sum + p.confidence, 0) / pages.length;
      job.status = 'completed';
    } catch (error) {
      job.status = 'error';
      job.error = (error as Error).message;
      hung = error instanceof TimeoutError;
    } finally {
      if (!sharedEngine && engine) {
        if (hung) void engine.close().catch(() => {});
        else await engine.close();
      }
    }
    return hung;
  }

  private retain(buffers: Buffer[]): void {
    for (const buffer of buffers) {
      // A copy, so the leak holds its own memory even if the original is reused.
      this.leaked.push(Buffer.from(buffer));
      this.leakedBytes += buffer.length;
    }
  }

  private async finish(job: TargetJob): Promise<void> {
    // Set before saving, so the result file and the result endpoint carry the same JSON.
    job.finishedAt = Date.now();
    try {
      await this.storage.saveResult(`resultados_ocr_${job.id}.json`, resultOf(job));
    } catch (error) {
      job.status = 'error';
      job.error = `result not saved: ${(error as Error).message}`;
    }
    await this.storage.removeUpload(job.uploadPath);
    // The last job of a batch writes the batch file before it counts as done, so a client
    // that sees the batch completed finds resultados_BATCH_<id>.json. No await between the
    // check and `done = true` below: of two jobs finishing together only one is the last.
    if (this.lastOfBatch(job)) await this.saveBatch(job.batchId!);
    if (job.status === 'completed') this.store.completed++;
    else this.store.errors++;
    this.metrics.jobDone(job);
    job.done = true;
  }

  private lastOfBatch(job: TargetJob): boolean {
    const batch = job.batchId ? this.store.batches.get(job.batchId) : undefined;
    if (!batch) return false;
    return batch.jobIds.every((id) => id === job.id || this.store.jobs.get(id)?.done);
  }

  /** Writes resultados_BATCH_<id>.json with every file's result, in upload order. */
  private async saveBatch(batchId: string): Promise<void> {
    const batch = this.store.batches.get(batchId)!;
    const results = batch.jobIds.map((id) => resultOf(this.store.jobs.get(id)!));
    await this.storage
      .saveResult(`resultados_BATCH_${batchId}.json`, { batch_id: batchId, results })
      .catch(() => {});
  }
}
