import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { FolderSeries } from '../record/run-file.ts';

/**
 * Entries walked per folder and sample at most: a temp folder that leaked millions of files
 * must not turn the sampler into the bottleneck. When reached, the counts are lower bounds.
 */
export const FOLDER_ENTRY_CAP = 100_000;

export interface FolderCount {
  files: number;
  bytes: number;
  /** True when the walk stopped at the cap. */
  capped: boolean;
}

/** Counts regular files and their bytes under a folder, recursively, without following links. */
export async function countFolder(
  path: string,
  entryCap: number = FOLDER_ENTRY_CAP,
): Promise<FolderCount> {
  const result: FolderCount = { files: 0, bytes: 0, capped: false };
  const pending = [path];
  let entries = 0;
  while (pending.length > 0) {
    const folder = pending.pop() as string;
    let names;
    try {
      names = await readdir(folder, { withFileTypes: true });
    } catch {
      continue; // missing or vanished folder: counts as empty
    }
    for (const entry of names) {
      if (++entries > entryCap) {
        result.capped = true;
        return result;
      }
      const full = join(folder, entry.name);
      if (entry.isDirectory()) {
        pending.push(full);
      } else if (entry.isFile()) {
        try {
          result.bytes += (await lstat(full)).size;
          result.files++;
        } catch {
          // Deleted between readdir and lstat: the service cleaned it up, not counted.
        }
      }
    }
  }
  return result;
}

/** Samples files and bytes of each folder. */
export class FolderSampler {
  readonly series: FolderSeries[];
  /** Folders whose walk hit the entry cap at least once. */
  readonly cappedFolders = new Set<string>();

  constructor(folders: string[]) {
    this.series = folders.map((path) => ({ path, tSeconds: [], files: [], bytes: [] }));
  }

  async sample(tSeconds: number): Promise<void> {
    const counts = await Promise.all(this.series.map((one) => countFolder(one.path)));
    counts.forEach((count, index) => {
      const one = this.series[index];
      if (count.capped) this.cappedFolders.add(one.path);
      one.tSeconds.push(tSeconds);
      one.files.push(count.files);
      one.bytes.push(count.bytes);
    });
  }
}
