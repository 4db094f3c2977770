import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { TargetService } from './server.ts';
import { startCleanup } from './cleanup.ts';
import { resolveTargetOptions, type TargetOptions } from './options.ts';

export { TARGET_DEFAULTS, FAULT_NAMES, type TargetOptions } from './options.ts';

/** A started target, in this process or as a child. */
export interface RunningTarget {
  url: string;
  port: number;
  pid: number;
  dataDir: string;
  uploadsDir: string;
  resultsDir: string;
  workers: number;
  close(): Promise<void>;
}

/** Starts the target in this process (tests); `close()` drains and stops it. */
export async function startTarget(
  input: Partial<TargetOptions> = {},
): Promise<RunningTarget & { service: TargetService }> {
  const options = resolveTargetOptions(input);
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'ocrbench-target-'));
  const service = new TargetService(options, dataDir);
  await service.start();
  await new Promise<void>((resolve, reject) => {
    service.server.once('error', reject);
    service.server.listen(options.port, options.host, resolve);
  });
  const stopCleanup = startCleanup(
    [service.storage.uploads, service.storage.temp, service.storage.results],
    options.retentionSeconds,
    (beforeMs) => service.store.forget(beforeMs),
  );
  const port = (service.server.address() as { port: number }).port;
  let closing: Promise<void> | null = null;
  return {
    url: `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`,
    port,
    pid: process.pid,
    dataDir,
    uploadsDir: service.storage.uploads,
    resultsDir: service.storage.results,
    workers: service.workers,
    service,
    close: () =>
      (closing ??= (async () => {
        stopCleanup();
        const { unfinished } = await service.drain(options.shutdownGraceMs);
        if (unfinished > 0) {
          process.stderr.write(`ocrbench target: ${unfinished} jobs unfinished at shutdown\n`);
        }
        await service.pool.stop();
        service.server.closeAllConnections();
        await new Promise<void>((resolve) => service.server.close(() => resolve()));
      })()),
  };
}

const BIN = fileURLToPath(new URL('../../bin/ocrbench.js', import.meta.url));

/**
 * Starts the target as a child process (so its CPU and memory are its own), waits for the
 * ready line, and returns it. `onExit` is called if the child exits on its own.
 */
export async function spawnTarget(
  input: Partial<TargetOptions> & { onExit?: (code: number | null) => void },
): Promise<RunningTarget> {
  const args = [BIN, 'target', '--port', String(input.port ?? 0)];
  if (input.host) args.push('--host', input.host);
  if (input.workers) args.push('--workers', String(input.workers));
  if (input.threadsPerWorker) args.push('--threads', String(input.threadsPerWorker));
  if (input.engine) args.push('--engine', input.engine);
  if (input.languages) args.push('--languages', input.languages);
  if (input.faults?.length) args.push('--fault', input.faults.join(','));
  if (input.dataDir) args.push('--data-dir', input.dataDir);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => {
      try {
        resolve(JSON.parse(line) as Record<string, unknown>);
      } catch {
        reject(new Error(`unexpected first line from the target: ${line}`));
      }
    });
    void exited.then((code) =>
      reject(new Error(`the target exited (${code}) before it was ready: ${stderr.trim()}`)),
    );
  });
  let closing = false;
  void exited.then((code) => {
    if (!closing) input.onExit?.(code);
  });
  return {
    url: String(ready.url),
    port: Number(ready.port),
    pid: child.pid!,
    dataDir: String(ready.dataDir),
    uploadsDir: String(ready.uploadsDir),
    resultsDir: String(ready.resultsDir),
    workers: Number(ready.workers),
    close: async () => {
      closing = true;
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(
        () => child.kill('SIGKILL'),
        (input.shutdownGraceMs ?? 30_000) + 5000,
      );
      await exited;
      clearTimeout(timer);
    },
  };
}
