import type { JsonResponse } from './http.ts';

/**
 * Shares requests among the jobs of one batch. Every file of a batch is its own job with
 * its own poll loop, but the service only answers per batch: without sharing, a batch of
 * 20 files would cost 20 identical status requests per poll round.
 *
 * 1. Concurrent polls of one batch wait for the same status request.
 * 2. An answer younger than `statusReuseMs` is reused (the jobs of a batch poll within a
 *    few ms of each other, since they were accepted together).
 * 3. Once the batch is complete, its results are fetched once and kept until every file's
 *    job has taken its result; then the batch is forgotten.
 * 4. A batch nobody polled for `forgetIdleMs` is forgotten (its jobs timed out or the run
 *    stopped), so memory stays flat on long runs.
 */
export interface BatchBookOptions {
  /** Reuse a status answer this young, ms. @default 100 */
  statusReuseMs?: number;
  /** Forget batches not polled for this long, ms. @default 600000 (10 min) */
  forgetIdleMs?: number;
  /** Clock, ms; tests may pass their own. @default Date.now */
  now?: () => number;
}

interface BatchEntry {
  status: Promise<JsonResponse> | null;
  statusAtMs: number;
  results: Promise<JsonResponse> | null;
  /** Indices of files whose job has not yet taken its result. */
  waiting: Set<number>;
  lastPolledMs: number;
}

export class BatchBook {
  private readonly entries = new Map<string, BatchEntry>();
  private readonly statusReuseMs: number;
  private readonly forgetIdleMs: number;
  private readonly now: () => number;
  private lastSweepMs = 0;

  constructor(options: BatchBookOptions = {}) {
    this.statusReuseMs = options.statusReuseMs ?? 100;
    this.forgetIdleMs = options.forgetIdleMs ?? 600_000;
    this.now = options.now ?? Date.now;
  }

  /** Batches currently remembered (for tests and debugging). */
  get size(): number {
    return this.entries.size;
  }

  /** The batch's status answer, shared with the other jobs of the batch. */
  status(batchId: string, total: number, fetch: () => Promise<JsonResponse>) {
    const entry = this.entry(batchId, total);
    const nowMs = this.now();
    if (entry.status && nowMs - entry.statusAtMs <= this.statusReuseMs) return entry.status;
    entry.statusAtMs = nowMs;
    entry.status = fetch().then((response) => {
      // Reuse counts from the answer, not the question: a slow answer is not stale yet.
      entry.statusAtMs = this.now();
      return response;
    });
    return entry.status;
  }

  /** The batch's results answer, fetched once; a failed fetch is retried by the next poll. */
  async results(batchId: string, total: number, fetch: () => Promise<JsonResponse>) {
    const entry = this.entry(batchId, total);
    entry.results ??= fetch();
    const response = await entry.results;
    if (response.kind === 'error' || response.status !== 200) entry.results = null;
    return response;
  }

  /** The results answer was unusable: the next poll fetches it again. */
  dropResults(batchId: string): void {
    const entry = this.entries.get(batchId);
    if (entry) entry.results = null;
  }

  /** The job of file `index` has its result; forget the batch once all have. */
  taken(batchId: string, index: number): void {
    const entry = this.entries.get(batchId);
    if (!entry) return;
    entry.waiting.delete(index);
    if (entry.waiting.size === 0) this.entries.delete(batchId);
  }

  /** The batch is gone for good (the service does not know it): forget it. */
  forget(batchId: string): void {
    this.entries.delete(batchId);
  }

  private entry(batchId: string, total: number): BatchEntry {
    const nowMs = this.now();
    this.sweep(nowMs);
    let entry = this.entries.get(batchId);
    if (!entry) {
      const waiting = new Set(Array.from({ length: total }, (_, index) => index));
      entry = { status: null, statusAtMs: 0, results: null, waiting, lastPolledMs: nowMs };
      this.entries.set(batchId, entry);
    }
    entry.lastPolledMs = nowMs;
    return entry;
  }

  private sweep(nowMs: number): void {
    // At most once a minute: a sweep walks every remembered batch.
    if (nowMs - this.lastSweepMs < 60_000) return;
    this.lastSweepMs = nowMs;
    for (const [batchId, entry] of this.entries) {
      if (nowMs - entry.lastPolledMs > this.forgetIdleMs) this.entries.delete(batchId);
    }
  }
}
