import { readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Removes files older than `retentionSeconds` from the folders, every `everyMs`, so
 * uploads, temp and results cannot pile up (the mandate's Phase 2 clean-up).
 * Returns a function that stops the timer.
 */
export function startCleanup(
  folders: string[],
  retentionSeconds: number,
  onSweep: (beforeMs: number) => void,
  everyMs = Math.min(60_000, Math.max(1000, retentionSeconds * 250)),
): () => void {
  if (retentionSeconds <= 0) return () => {};
  const timer = setInterval(() => {
    const beforeMs = Date.now() - retentionSeconds * 1000;
    void sweep(folders, beforeMs).then(() => onSweep(beforeMs));
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** Deletes files modified before `beforeMs`; returns how many. */
export async function sweep(folders: string[], beforeMs: number): Promise<number> {
  let removed = 0;
  for (const folder of folders) {
    const names = await readdir(folder).catch(() => [] as string[]);
    for (const name of names) {
      const path = join(folder, name);
      const info = await stat(path).catch(() => null);
      if (info?.isFile() && info.mtimeMs < beforeMs) {
        await unlink(path).catch(() => {});
        removed++;
      }
    }
  }
  return removed;
}
