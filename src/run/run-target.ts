import { request } from 'undici';
import type { Scenario } from '../scenario/schema.ts';
import { OcrbenchError } from '../util/errors.ts';

/** The service a run drives: the built-in target started for the run, or a URL. */
export interface RunTarget {
  url: string;
  /** Settings of the built-in target, or null for an external service. */
  builtin: Record<string, unknown> | null;
  /** What the observers watch automatically. */
  watch: { pids: number[]; folders: string[]; resultsFolder: string | null };
  stop(): Promise<void>;
}

/**
 * Starts the built-in target as a child process (so its CPU and memory are measured apart
 * from the generator's), or checks that an external target answers at all. `onDied` is
 * called if the built-in target exits while the run is going on. Returns null when `signal`
 * (Ctrl-C) aborted the start: the run then writes an empty, interrupted run.json.
 */
export async function startRunTarget(
  scenario: Scenario,
  onDied: () => void,
  signal?: AbortSignal,
): Promise<RunTarget | null> {
  if (signal?.aborted) return null;
  if (scenario.target.url !== 'builtin') {
    try {
      await checkReachable(scenario.target.url, scenario.target.requestTimeoutMs, signal);
    } catch (error) {
      if (signal?.aborted) return null;
      throw error;
    }
    return {
      url: scenario.target.url,
      builtin: null,
      watch: { pids: [], folders: [], resultsFolder: null },
      stop: async () => {},
    };
  }
  const settings = scenario.target.builtin;
  // Imported on demand: runs against an external service never load the OCR engine.
  const { spawnTarget } = await import('../target/index.ts');
  let stopping = false;
  let running;
  try {
    running = await spawnTarget({
      port: 0,
      host: '127.0.0.1',
      workers: settings.workers,
      threadsPerWorker: settings.threadsPerWorker,
      engine: settings.engine,
      languages: settings.languages,
      faults: settings.faults,
      onExit: () => {
        if (!stopping) onDied();
      },
    });
  } catch (error) {
    // A Ctrl-C in a terminal reaches the child too, which may die before it is ready.
    if (signal?.aborted) return null;
    throw new OcrbenchError(
      'E_TARGET_START',
      `the built-in target did not start: ${(error as Error).message}. ` +
        'Run `ocrbench target` alone to see its output.',
      { cause: error },
    );
  }
  return {
    url: running.url,
    builtin: { ...settings, pid: running.pid, dataDir: running.dataDir },
    watch: {
      pids: [running.pid],
      folders: [running.uploadsDir, running.resultsDir],
      resultsFolder: running.resultsDir,
    },
    stop: async () => {
      stopping = true;
      await running.close();
    },
  };
}

/** Longest wait of the pre-check for an answer to GET /, ms. */
const PRECHECK_LIMIT_MS = 10_000;

/**
 * Any HTTP answer proves the target is up; anything else ends the run before it starts (exit
 * 4), saying which of "nothing listens there", "no answer in time" or "unknown host" it was.
 */
async function checkReachable(url: string, timeoutMs: number, signal?: AbortSignal) {
  const waitMs = Math.min(timeoutMs, PRECHECK_LIMIT_MS);
  try {
    const response = await request(url, {
      method: 'GET',
      headersTimeout: waitMs,
      bodyTimeout: waitMs,
      signal,
    });
    await response.body.dump();
  } catch (error) {
    throw new OcrbenchError('E_TARGET_UNREACHABLE', unreachableMessage(url, error, waitMs));
  }
}

/** The pre-check's failure in words, by its error code. */
export function unreachableMessage(url: string, error: unknown, waitMs: number): string {
  const code = (error as { code?: string }).code ?? (error as Error).message;
  const { host } = new URL(url);
  const seconds = `${waitMs / 1000} s`;
  const builtin = 'Use `target.url: builtin` to start the built-in target instead.';
  switch (code) {
    case 'ECONNREFUSED':
      return (
        `cannot reach the target at ${url}: connection refused (ECONNREFUSED), nothing ` +
        `listens on ${host}. Is the service running and the URL right? ${builtin}`
      );
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return (
        `the target at ${url} accepted the connection but did not answer GET / within ` +
        `${seconds} (${code}): it is up but hung or overloaded. Check it with ` +
        `\`curl -v ${url}\`; the pre-check waits target.requestTimeoutMs, at most ` +
        `${PRECHECK_LIMIT_MS / 1000} s.`
      );
    case 'UND_ERR_CONNECT_TIMEOUT':
      return (
        `cannot reach the target at ${url}: no answer to the connection attempt (${code}); ` +
        `a firewall dropping packets, or the wrong host? ${builtin}`
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot reach the target at ${url}: unknown host name (${code}). Check the URL.`;
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return (
        `cannot reach the target at ${url}: it closed the connection without an answer ` +
        `(${code}). Is it an HTTP service (not HTTPS, or another protocol)?`
      );
    default:
      return (
        `cannot reach the target at ${url} (${code}). Is the service running and the URL ` +
        `right? ${builtin}`
      );
  }
}
