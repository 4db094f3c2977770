import { readFile } from 'node:fs/promises';
import type { OcrEngine } from './engine.ts';
import { createTesseractJsEngine } from './engine-tesseractjs.ts';
import { createTesseractCliEngine } from './engine-cli.ts';
import { JobStore, resultOf, type TargetJob } from './jobs.ts';
import type { TargetOptions } from './options.ts';
import type { Storage } from './storage.ts';
import type { TargetMetrics } from './metrics.ts';

/**
 * N workers, each with its own engine created once (not per job), taking jobs from the
 * queue in order. `reload-model` creates and terminates the engine for every job instead.
 */
export class WorkerPool {
  private closed = false;
  private readonly loops: Promise<void>[] = [];
  /** Buffers retained forever by the `memory-leak` fault. */
  private readonly leaked: Buffer[] = [];

  constructor(
    private readonly options: TargetOptions,
    private readonly workers: number,
    private readonly store: JobStore,
    private readonly storage: Storage,
    private readonly metrics: TargetMetrics,
  ) {}

  get leakedBytes(): number {
    return this.leaked.reduce((sum, buffer) => sum + buffer.length, 0);
  }

  async start(): Promise<void> {
    const reload = this.options.faults.includes('reload-model');
    // Create engines up front so the first job does not pay the model load.
    const engines = reload
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

  private newEngine(): Promise<OcrEngine> {
    if (this.options.engine === 'tesseract-cli') {
      const oversubscribe = this.options.faults.includes('oversubscribe');
      return Promise.resolve(
        createTesseractCliEngine(
          this.options.languages,
          oversubscribe ? null : this.options.threadsPerWorker,
        ),
      );
    }
    return createTesseractJsEngine(this.options.languages);
  }

  private async loop(index: number, engine: OcrEngine | null): Promise<void> {
    for (;;) {
      const job = await this.store.take(() => this.closed);
      if (!job) break;
      const busyFrom = performance.now();
      await this.process(job, engine);
      this.metrics.workerBusy(index, (performance.now() - busyFrom) / 1000);
    }
    await engine?.close();
  }

  private async process(job: TargetJob, sharedEngine: OcrEngine | null): Promise<void> {
    job.status = 'processing';
    job.startedAt = Date.now();
    this.store.processing++;
    const ocrStart = performance.now();
    let engine = sharedEngine;
    try {
      if (job.format === 'pdf') {
        // TODO(target): rasterise PDF pages (pdfjs-dist) so PDFs can be recognised.
        throw new Error(`PDF is not supported by the ${this.options.engine} engine`);
      }
      const image = await readFile(job.uploadPath);
      if (this.options.faults.includes('memory-leak')) this.leaked.push(image);
      engine ??= await this.newEngine();
      const { text, confidence } = await engine.recognise(image, job.uploadPath);
      job.text = text;
      job.confidence = confidence;
      job.status = 'completed';
    } catch (error) {
      job.status = 'error';
      job.error = (error as Error).message;
    } finally {
      if (!sharedEngine && engine) await engine.close();
    }
    job.ocrDoneAt = Date.now();
    job.processingSeconds = (performance.now() - ocrStart) / 1000;
    this.store.processing--;
    await this.finish(job);
  }

  private async finish(job: TargetJob): Promise<void> {
    try {
      await this.storage.saveResult(`resultados_ocr_${job.id}.json`, resultOf(job));
    } catch (error) {
      job.status = 'error';
      job.error = `result not saved: ${(error as Error).message}`;
    }
    await this.storage.removeUpload(job.uploadPath);
    job.finishedAt = Date.now();
    if (job.status === 'completed') this.store.completed++;
    else this.store.errors++;
    this.metrics.jobDone(job);
    if (job.batchId) await this.finishBatch(job.batchId);
  }

  /** Writes resultados_BATCH_<id>.json once every file of the batch has finished. */
  private async finishBatch(batchId: string): Promise<void> {
    const batch = this.store.batches.get(batchId);
    if (!batch) return;
    const jobs = batch.jobIds.map((id) => this.store.jobs.get(id));
    if (jobs.some((job) => !job || job.finishedAt === null)) return;
    const results = jobs.map((job) => resultOf(job!));
    await this.storage
      .saveResult(`resultados_BATCH_${batchId}.json`, { batch_id: batchId, results })
      .catch(() => {});
  }
}
