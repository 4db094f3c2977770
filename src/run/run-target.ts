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
 * called if the built-in target exits while the run is going on.
 */
export async function startRunTarget(scenario: Scenario, onDied: () => void): Promise<RunTarget> {
  if (scenario.target.url !== 'builtin') {
    await checkReachable(scenario.target.url, scenario.target.requestTimeoutMs);
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

/** Any HTTP answer proves the target is up; a network error ends the run before it starts. */
async function checkReachable(url: string, timeoutMs: number): Promise<void> {
  try {
    const response = await request(url, {
      method: 'GET',
      headersTimeout: Math.min(timeoutMs, 10_000),
      bodyTimeout: Math.min(timeoutMs, 10_000),
    });
    await response.body.dump();
  } catch (error) {
    const code = (error as { code?: string }).code ?? (error as Error).message;
    throw new OcrbenchError(
      'E_TARGET_UNREACHABLE',
      `cannot reach the target at ${url} (${code}). Is the service running and the URL ` +
        'right? Use `target.url: builtin` to start the built-in target instead.',
    );
  }
}
