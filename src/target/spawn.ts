import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import type { TargetOptions } from './options.ts';
import type { RunningTarget } from './index.ts';

const BIN = fileURLToPath(new URL('../../bin/ocrbench.js', import.meta.url));

/** Time after SIGTERM and the grace period before the child is killed, ms. */
const KILL_AFTER_GRACE_MS = 10_000;

/** Targets started by this process and not yet exited. */
const live = new Set<ChildProcess>();

/**
 * Kills every target this process started that is still running (SIGKILL, synchronous), for
 * exit paths that cannot wait for a graceful close: a second Ctrl-C, a crash. Without it the
 * child, which does not share the parent's fate, would keep running with its workers.
 */
export function killSpawnedTargets(): void {
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  live.clear();
}

/** `ocrbench target` arguments for the given options (unset ones keep the CLI defaults). */
export function targetArguments(input: Partial<TargetOptions>): string[] {
  const args = ['target', '--port', String(input.port ?? 0)];
  const add = (flag: string, value: unknown) => {
    if (value !== undefined && value !== null) args.push(flag, String(value));
  };
  add('--host', input.host);
  add('--workers', input.workers);
  add('--threads', input.threadsPerWorker);
  add('--engine', input.engine);
  add('--languages', input.languages);
  if (input.faults?.length) args.push('--fault', input.faults.join(','));
  add('--data-dir', input.dataDir);
  add('--retention-seconds', input.retentionSeconds);
  add('--queue-limit', input.queueLimit);
  if (input.maxUploadBytes !== undefined) add('--max-upload-mb', input.maxUploadBytes / 2 ** 20);
  if (input.pageTimeoutMs !== undefined) {
    add('--page-timeout-seconds', input.pageTimeoutMs / 1000);
  }
  if (input.shutdownGraceMs !== undefined) add('--grace-seconds', input.shutdownGraceMs / 1000);
  return args;
}

/**
 * Starts the target as a child process (so its CPU and memory are its own), waits for the
 * JSON ready line on its stdout, and returns it. `close()` sends SIGTERM and waits for the
 * exit (SIGKILL if it outlives the grace period). `onExit` is called if the child exits
 * without being closed. `stderr` collects the child's last 16 KiB of stderr.
 */
export async function spawnTarget(
  input: Partial<TargetOptions> & { onExit?: (code: number | null) => void },
): Promise<RunningTarget & { stderr: () => string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [BIN, ...targetArguments(input)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (live.size === 0) process.once('exit', killSpawnedTargets);
  live.add(child);
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-16_384);
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      live.delete(child);
      if (live.size === 0) process.off('exit', killSpawnedTargets);
      resolve(code);
    }),
  );
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
  const graceMs = input.shutdownGraceMs ?? 30_000;
  return {
    url: String(ready.url),
    port: Number(ready.port),
    pid: child.pid!,
    dataDir: String(ready.dataDir),
    uploadsDir: String(ready.uploadsDir),
    resultsDir: String(ready.resultsDir),
    workers: Number(ready.workers),
    stderr: () => stderr,
    exited,
    close: async () => {
      closing = true;
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs + KILL_AFTER_GRACE_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}
