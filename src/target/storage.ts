import { closeSync, fsyncSync, openSync, readdirSync, statSync, writeSync } from 'node:fs';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { FaultName } from './options.ts';
import { Mutex } from './lock.ts';

/** The target's folders and how files are written, with the I/O faults applied. */
export class Storage {
  readonly uploads: string;
  readonly temp: string;
  readonly results: string;
  /** Language model links for tesseract.js (never swept by the retention clean-up). */
  readonly models: string;
  private readonly lock = new Mutex();
  /** Entries seen by the `temp-leak` scan of the upload folder, last job. */
  lastListing = 0;
  /** Synchronous flushed writes made by `sync-io`, and their total time, ms. */
  syncWrites = 0;
  syncWriteMs = 0;

  constructor(
    readonly dataDir: string,
    private readonly faults: FaultName[],
  ) {
    this.uploads = join(dataDir, 'uploads');
    this.temp = join(dataDir, 'temp');
    this.results = join(dataDir, 'results');
    this.models = join(dataDir, 'models');
  }

  async create(): Promise<void> {
    for (const folder of [this.uploads, this.temp, this.results]) {
      await mkdir(folder, { recursive: true });
    }
  }

  /**
   * Saves an upload under a generated name (the client's file name is never a path). Under
   * `queue-lock` it waits for the global lock, which a worker may hold for a whole job.
   */
  async saveUpload(name: string, bytes: Buffer): Promise<string> {
    const path = join(this.uploads, name);
    await this.guarded(async () => {
      await this.write(path, bytes);
      // The naive habit: keep a flushed working copy of every upload in temp/.
      if (this.faults.includes('sync-io')) this.syncWrite(join(this.temp, `${name}.copy`), bytes);
    });
    return path;
  }

  /**
   * Writes a result file atomically (temp file in temp/, then rename). Takes no lock of its
   * own: under `queue-lock` the worker calls it inside withJobFiles.
   */
  async saveResult(name: string, json: unknown): Promise<void> {
    const text = `${JSON.stringify(json, null, 2)}\n`;
    const temporary = join(this.temp, `${name}.partial`);
    await this.write(temporary, text);
    await rename(temporary, join(this.results, name));
  }

  /**
   * A worker's handling of one job's files: reading the upload, (OCR in between), saving
   * the result. Under `queue-lock` it all runs holding the one global lock, as naive code
   * that guards "the job's files" with the queue's lock does: workers then take turns, and
   * uploads wait too. `work` is told how long it waited for the lock, ms (0 without it).
   */
  withJobFiles<T>(work: (waitedMs: number) => Promise<T>): Promise<T> {
    return this.faults.includes('queue-lock') ? this.lock.run(work) : work(0);
  }

  /**
   * The `temp-leak` habit: a worker lists the upload folder and stats every entry before
   * it reads its job's file, as naive code does to find it. Synchronous, on the event loop,
   * inside the job's processing time: the cost grows with the files piled up. Returns how
   * many entries it saw.
   */
  scanUploads(): number {
    const names = readdirSync(this.uploads);
    for (const entry of names) statSync(join(this.uploads, entry), { throwIfNoEntry: false });
    this.lastListing = names.length;
    return names.length;
  }

  /** Removes a processed upload (and its copy), unless `temp-leak` keeps everything. */
  async removeUpload(path: string): Promise<void> {
    if (this.faults.includes('temp-leak')) return;
    await unlink(path).catch(() => {});
    if (this.faults.includes('sync-io')) {
      const name = path.slice(this.uploads.length + 1);
      await unlink(join(this.temp, `${name}.copy`)).catch(() => {});
    }
  }

  get lockAcquired(): number {
    return this.lock.acquired;
  }

  get lockContended(): number {
    return this.lock.contended;
  }

  get lockWaitedMs(): number {
    return this.lock.waitedMs;
  }

  private guarded(work: () => Promise<void>): Promise<void> {
    return this.faults.includes('queue-lock') ? this.lock.run(() => work()) : work();
  }

  private async write(path: string, data: string | Buffer): Promise<void> {
    if (this.faults.includes('sync-io')) {
      this.syncWrite(path, data);
      return;
    }
    const handle = await open(path, 'w');
    try {
      await handle.writeFile(data);
      // Under the lock, naive code also flushes: the lock is then held for a disk round trip.
      if (this.faults.includes('queue-lock')) await handle.sync();
    } finally {
      await handle.close();
    }
  }

  /** Synchronous, flushed write on the event loop: every request waits for the disk. */
  private syncWrite(path: string, data: string | Buffer): void {
    const from = performance.now();
    const descriptor = openSync(path, 'w');
    try {
      writeSync(descriptor, typeof data === 'string' ? Buffer.from(data) : data);
      fsyncSync(descriptor);
      this.syncWrites++;
    } finally {
      closeSync(descriptor);
      this.syncWriteMs += performance.now() - from;
    }
  }
}
