import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TargetService } from './server.ts';
import { startCleanup } from './cleanup.ts';
import { resolveTargetOptions, type TargetOptions } from './options.ts';
import { OcrbenchError } from '../util/errors.ts';
import { debug } from '../util/log.ts';

export { spawnTarget } from './spawn.ts';
export {
  TARGET_DEFAULTS,
  FAULT_NAMES,
  type FaultName,
  type EngineName,
  type TargetOptions,
} from './options.ts';

/** A started target, in this process or as a child. */
export interface RunningTarget {
  url: string;
  port: number;
  pid: number;
  /**
   * Folder of uploads/, temp/, results/, models/. One the target created itself (no
   * `dataDir` option) is removed by a graceful close; one given to it is kept.
   */
  dataDir: string;
  uploadsDir: string;
  resultsDir: string;
  /** Workers really started (after the single-worker and oversubscribe faults). */
  workers: number;
  close(): Promise<void>;
}

/** What shutdown left undone once the grace period was over. */
export interface ShutdownReport {
  queued: number;
  processing: number;
}

/** Upper bound on waiting for workers still in a job after the grace period, ms. */
const WORKER_STOP_WAIT_MS = 5000;

/**
 * Starts the target in this process (tests, the CLI). `close()` stops accepting uploads
 * (503), lets queued and running jobs finish within `shutdownGraceMs`, then stops, and
 * removes the data folder if the target created it (no `dataDir` given).
 */
export async function startTarget(
  input: Partial<TargetOptions> = {},
): Promise<RunningTarget & { service: TargetService; shutdown: Promise<ShutdownReport> }> {
  const options = resolveTargetOptions(input);
  // A folder of its own under the OS temp folder unless one is given; its own is removed
  // on a graceful close (and on a failed start), a given one never is.
  const ownDataDir = options.dataDir === null;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'ocrbench-target-'));
  const removeOwnDataDir = () => {
    if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
  };
  const service = new TargetService(options, dataDir);
  try {
    await service.start();
  } catch (error) {
    removeOwnDataDir();
    throw error;
  }
  try {
    await new Promise<void>((resolve, reject) => {
      service.server.once('error', reject);
      service.server.listen(options.port, options.host, resolve);
    });
  } catch (error) {
    await service.pool.stop();
    removeOwnDataDir();
    throw new OcrbenchError(
      'E_TARGET_START',
      `cannot listen on ${options.host}:${options.port} (${(error as Error).message}). ` +
        'Pick another --port, or 0 for any free one.',
      { cause: error },
    );
  }
  // temp-leak: nothing is ever removed, not even by the retention clean-up.
  const stopCleanup = options.faults.includes('temp-leak')
    ? () => {}
    : startCleanup(
        [service.storage.uploads, service.storage.temp, service.storage.results],
        options.retentionSeconds,
        (beforeMs) => service.store.forget(beforeMs),
      );
  const port = (service.server.address() as { port: number }).port;
  let reportShutdown!: (report: ShutdownReport) => void;
  const shutdown = new Promise<ShutdownReport>((resolve) => (reportShutdown = resolve));
  let closing: Promise<void> | null = null;
  const close = async () => {
    stopCleanup();
    const report = await service.drain(options.shutdownGraceMs);
    debug('target shutdown: %d queued, %d processing', report.queued, report.processing);
    await Promise.race([
      service.pool.stop(),
      new Promise((resolve) => setTimeout(resolve, WORKER_STOP_WAIT_MS).unref()),
    ]);
    service.server.closeAllConnections();
    await new Promise<void>((resolve) => service.server.close(() => resolve()));
    // After the workers: nothing writes there any more (a worker still in a job after the
    // wait above fails to save its result, which is reported as unfinished already).
    removeOwnDataDir();
    reportShutdown(report);
  };
  return {
    url: `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`,
    port,
    pid: process.pid,
    dataDir,
    uploadsDir: service.storage.uploads,
    resultsDir: service.storage.results,
    workers: service.workers,
    service,
    shutdown,
    close: () => (closing ??= close()),
  };
}
