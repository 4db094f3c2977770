import { existsSync } from 'node:fs';
import type { QueueStatus } from '../profiles/profile.ts';
import type { Caveat, Observations } from '../record/run-file.ts';
import { readResultFiles } from '../analyze/result-files.ts';
import { FOLDER_ENTRY_CAP, FolderSampler } from './folders.ts';
import { HostSampler } from './host.ts';
import { fetchMetrics } from './metrics.ts';
import { runPeriodically, secondsSince, type PeriodicSampler } from './periodic.ts';
import { ProcessSampler } from './processes.ts';
import { QueueSampler } from './queue.ts';

/** Default sampling interval, ms. */
export const DEFAULT_OBSERVE_INTERVAL_MS = 1000;

export interface ObserveOptions {
  /** Time between samples, ms. @default 1000 */
  intervalMs: number;
  /** Start of the trial (performance.now() based ms) so tSeconds are relative to it. */
  startedAtMs: number;
  /** Queue endpoint reader (the profile's queueStatus bound to its context), or null. */
  queueStatus: (() => Promise<QueueStatus | null>) | null;
  /** Absolute URL of the metrics endpoint, or null. Fetched at start and stop (JSON). */
  metricsUrl: string | null;
  /** Processes to watch: PIDs (with their descendants) and/or a regex on the command line. */
  processes: { pids: number[]; commandPattern: string | null } | null;
  /** Sample /proc/stat, /proc/meminfo, /proc/diskstats, /proc/net/dev. */
  host: boolean;
  /** Count files and bytes (recursive, bounded by FOLDER_ENTRY_CAP). */
  folders: string[];
  /** Read resultados_ocr_*.json / resultados_BATCH_*.json written since the start, at stop. */
  resultsFolder: string | null;
}

export interface Observation {
  /** Stops every sampler (clearing its timer), takes a last sample, returns the series. */
  stop(): Promise<Observations>;
  /**
   * What limited the observation (queue reads that failed, skipped samples, unreadable I/O,
   * capped folder walks, no /proc). Complete after stop(); the run adds them to its caveats.
   */
  caveats(): Caveat[];
}

/** Starts the samplers the options ask for. Never throws once started; see caveats(). */
export function startObservation(options: ObserveOptions): Observation {
  const intervalMs = options.intervalMs > 0 ? options.intervalMs : DEFAULT_OBSERVE_INTERVAL_MS;
  const at = () => secondsSince(options.startedAtMs);
  // Wall clock of the trial start, to tell this trial's result files from older ones.
  const startedAtEpochMs = Date.now() - (performance.now() - options.startedAtMs);
  const caveats: Caveat[] = [];
  const hasProc = existsSync('/proc/stat');
  const wantsProc = options.host || options.processes !== null;
  if (wantsProc && !hasProc) {
    caveats.push({
      code: 'observe-no-proc',
      message: 'No /proc on this system: process and host resources were not sampled.',
    });
  }

  const queue = options.queueStatus ? new QueueSampler(options.queueStatus) : null;
  const selection = checkedSelection(options.processes, caveats);
  const processes = selection && hasProc ? new ProcessSampler(selection) : null;
  const host = options.host && hasProc ? new HostSampler() : null;
  const folders = new FolderSampler(options.folders);

  const runners = new Map<string, PeriodicSampler>();
  const start = (name: string, sampler: { sample(t: number): Promise<void> } | null) => {
    if (sampler) {
      runners.set(
        name,
        runPeriodically(name, intervalMs, () => sampler.sample(at())),
      );
    }
  };
  start('queue', queue);
  start('processes', processes);
  start('host', host);
  if (options.folders.length > 0) start('folders', folders);

  const firstMetrics = options.metricsUrl ? fetchMetrics(options.metricsUrl) : null;

  const stop = async (): Promise<Observations> => {
    await Promise.all([...runners.values()].map((runner) => runner.stop()));
    const metrics = options.metricsUrl
      ? { first: await firstMetrics, last: await fetchMetrics(options.metricsUrl) }
      : null;
    const resultFiles = options.resultsFolder
      ? await readResultFiles(options.resultsFolder, { sinceEpochMs: startedAtEpochMs })
      : null;
    addCaveats({ runners, queue, processes, folders, metrics, caveats });
    return {
      queue: queue ? queue.series : null,
      processes: processes ? processes.series : null,
      host: host ? host.series : null,
      folders: folders.series,
      metrics,
      resultFiles,
    };
  };

  let stopped: Promise<Observations> | null = null;
  return {
    stop: () => (stopped ??= stop()),
    caveats: () => [...caveats],
  };
}

/** A command pattern that is not a valid regex is dropped with a caveat, never thrown. */
function checkedSelection(
  selection: ObserveOptions['processes'],
  caveats: Caveat[],
): ObserveOptions['processes'] {
  if (!selection?.commandPattern) return selection;
  try {
    new RegExp(selection.commandPattern);
    return selection;
  } catch (error) {
    caveats.push({
      code: 'observe-bad-pattern',
      message:
        `Process pattern /${selection.commandPattern}/ is not a valid regular expression ` +
        `(${(error as Error).message}); only the given PIDs were watched. Fix the pattern.`,
    });
    return { pids: selection.pids, commandPattern: null };
  }
}

function addCaveats(state: {
  runners: Map<string, PeriodicSampler>;
  queue: QueueSampler | null;
  processes: ProcessSampler | null;
  folders: FolderSampler;
  metrics: { first: unknown; last: unknown } | null;
  caveats: Caveat[];
}): void {
  const { caveats } = state;
  for (const [name, runner] of state.runners) {
    if (runner.skipped + runner.failed === 0) continue;
    caveats.push({
      code: 'observe-skipped-samples',
      message:
        `The ${name} sampler skipped ${runner.skipped} and lost ${runner.failed} samples ` +
        'because a sample was slower than the interval or failed; its series has gaps.',
    });
  }
  if (state.queue && state.queue.failures > 0) {
    caveats.push({
      code: 'observe-queue-failures',
      message: `${state.queue.failures} queue status reads failed or answered no counts.`,
    });
  }
  if (state.processes && state.processes.ioUnreadableSamples > 0) {
    caveats.push({
      code: 'observe-io-unreadable',
      message:
        `/proc/PID/io was unreadable in ${state.processes.ioUnreadableSamples} samples ` +
        '(other user, or no ptrace permission): process I/O there counts as 0.',
    });
  }
  for (const path of state.folders.cappedFolders) {
    caveats.push({
      code: 'observe-folder-capped',
      message:
        `Folder ${path} holds more than ${FOLDER_ENTRY_CAP} entries; ` +
        'its file and byte counts are minimums.',
    });
  }
  if (state.metrics && (state.metrics.first === null || state.metrics.last === null)) {
    caveats.push({
      code: 'observe-metrics-unavailable',
      message: 'The metrics endpoint did not answer with JSON at the start or the end.',
    });
  }
}
