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
  private readonly lock = new Mutex();
  /** Entries seen by the `temp-leak` listing of the upload folder, last job. */
  lastListing = 0;
  syncWrites = 0;

  constructor(
    readonly dataDir: string,
    private readonly faults: FaultName[],
  ) {
    this.uploads = join(dataDir, 'uploads');
    this.temp = join(dataDir, 'temp');
    this.results = join(dataDir, 'results');
  }

  async create(): Promise<void> {
    for (const folder of [this.uploads, this.temp, this.results]) {
      await mkdir(folder, { recursive: true });
    }
  }

  /** Saves an upload under a generated name (the client's file name is never a path). */
  async saveUpload(name: string, bytes: Buffer): Promise<string> {
    const path = join(this.uploads, name);
    await this.guarded(() => this.write(path, bytes));
    return path;
  }

  /** Writes a result file atomically (temp file in temp/, then rename). */
  async saveResult(name: string, json: unknown): Promise<void> {
    const text = `${JSON.stringify(json, null, 2)}\n`;
    const temporary = join(this.temp, `${name}.partial`);
    await this.guarded(async () => {
      await this.write(temporary, text);
      await rename(temporary, join(this.results, name));
      if (this.faults.includes('sync-io')) {
        // The naive habit: also keep a flushed copy of the upload next to the result.
        this.syncWrite(join(this.temp, `${name}.copy`), text);
      }
    });
  }

  /** Removes a processed upload, unless `temp-leak` keeps everything forever. */
  async removeUpload(path: string): Promise<void> {
    if (this.faults.includes('temp-leak')) {
      // Naive code that scans the upload folder for every job: cost grows with the pile.
      const names = readdirSync(this.uploads);
      for (const entry of names) statSync(join(this.uploads, entry));
      this.lastListing = names.length;
      return;
    }
    await unlink(path).catch(() => {});
  }

  get lockWaits(): number {
    return this.lock.waits;
  }

  private guarded(work: () => Promise<void>): Promise<void> {
    return this.faults.includes('queue-lock') ? this.lock.run(work) : work();
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
    const descriptor = openSync(path, 'w');
    try {
      writeSync(descriptor, typeof data === 'string' ? Buffer.from(data) : data);
      fsyncSync(descriptor);
      this.syncWrites++;
    } finally {
      closeSync(descriptor);
    }
  }
}
