import { availableParallelism } from 'node:os';
import { OcrbenchError } from '../util/errors.ts';

/** Fault switches: each makes the target really suffer one root cause (docs/target.md). */
export const FAULT_NAMES = [
  'reload-model',
  'single-worker',
  'oversubscribe',
  'sync-io',
  'temp-leak',
  'queue-lock',
  'event-loop-block',
  'memory-leak',
] as const;
export type FaultName = (typeof FAULT_NAMES)[number];

export type EngineName = 'tesseract.js' | 'tesseract-cli';

/** Settings of the built-in target. One object of defaults feeds the CLI help and docs. */
export interface TargetOptions {
  /**
   * TCP port; 0 picks a free one.
   * @default 5000
   */
  port: number;
  /**
   * Listen address; loopback only by default.
   * @default '127.0.0.1'
   */
  host: string;
  /**
   * OCR workers, each with its own engine loaded once.
   * @default os.availableParallelism()
   */
  workers: number;
  /**
   * Engine threads per worker: OMP_THREAD_LIMIT of the tesseract command, which never runs
   * more than 4 (TESSERACT_CLI_MAX_THREADS). tesseract.js always runs one thread per worker
   * and ignores it.
   * @default 1
   */
  threadsPerWorker: number;
  /**
   * OCR engine: tesseract.js (npm, offline) or the Debian `tesseract` command.
   * @default 'tesseract.js'
   */
  engine: EngineName;
  /**
   * Tesseract languages joined by +.
   * @default 'spa+eng'
   */
  languages: string;
  /**
   * Root causes of slowness to switch on (docs/target.md).
   * @default []
   */
  faults: FaultName[];
  /**
   * Folder holding uploads/, temp/, results/, models/. A given folder is kept; without one
   * the target makes its own and removes it on a graceful close.
   * @default null (a new folder under the OS temp folder, removed on close)
   */
  dataDir: string | null;
  /**
   * Files older than this are removed from uploads/, temp/ and results/, s; 0 = never.
   * @default 3600
   */
  retentionSeconds: number;
  /**
   * Jobs waiting at most; uploads beyond answer 429 with Retry-After.
   * @default 1000
   */
  queueLimit: number;
  /**
   * Largest accepted file, bytes; larger answer 413.
   * @default 67108864 (64 MiB)
   */
  maxUploadBytes: number;
  /**
   * A page the engine has not read in this long fails its job, and the worker gets a new
   * engine (a hung engine must not hold a worker forever), ms.
   * @default 300000
   */
  pageTimeoutMs: number;
  /**
   * On SIGTERM or close(), jobs queued and in flight get this long to finish, ms.
   * @default 30000
   */
  shutdownGraceMs: number;
}

export const TARGET_DEFAULTS: Readonly<TargetOptions> = {
  port: 5000,
  host: '127.0.0.1',
  workers: availableParallelism(),
  threadsPerWorker: 1,
  engine: 'tesseract.js',
  languages: 'spa+eng',
  faults: [],
  dataDir: null,
  retentionSeconds: 3600,
  queueLimit: 1000,
  maxUploadBytes: 64 * 1024 * 1024,
  pageTimeoutMs: 300_000,
  shutdownGraceMs: 30_000,
};

/** Fills defaults, checks values, and rejects unknown faults. */
export function resolveTargetOptions(input: Partial<TargetOptions>): TargetOptions {
  const options: TargetOptions = { ...TARGET_DEFAULTS };
  for (const [key, value] of Object.entries(input)) {
    if (value !== undefined) (options as unknown as Record<string, unknown>)[key] = value;
  }
  const whole = (name: keyof TargetOptions, min: number) => {
    const value = options[name] as number;
    if (!Number.isInteger(value) || value < min) {
      throw new OcrbenchError(
        'E_USAGE',
        `target option ${name}: ${String(value)} is not a whole number >= ${min}.`,
      );
    }
  };
  whole('port', 0);
  whole('workers', 1);
  whole('threadsPerWorker', 1);
  whole('retentionSeconds', 0);
  whole('queueLimit', 1);
  whole('maxUploadBytes', 1);
  whole('pageTimeoutMs', 1);
  whole('shutdownGraceMs', 0);
  if (options.engine !== 'tesseract.js' && options.engine !== 'tesseract-cli') {
    throw new OcrbenchError(
      'E_USAGE',
      `target option engine: "${String(options.engine)}"; use tesseract.js or tesseract-cli.`,
    );
  }
  for (const fault of options.faults) {
    if (!(FAULT_NAMES as readonly string[]).includes(fault)) {
      throw new OcrbenchError(
        'E_USAGE',
        `unknown fault "${fault}"; use one of ${FAULT_NAMES.join(', ')}.`,
      );
    }
  }
  return options;
}

/** Workers actually started, after `single-worker` and `oversubscribe`. */
export function effectiveWorkers(options: TargetOptions): number {
  if (options.faults.includes('single-worker')) return 1;
  // tesseract.js runs one WASM thread per worker: oversubscribing means more workers than
  // cores, all fighting for them (twice the cores, at least twice the setting).
  if (options.faults.includes('oversubscribe') && options.engine === 'tesseract.js') {
    return Math.max(availableParallelism(), options.workers) * 2;
  }
  return options.workers;
}

/**
 * OpenMP threads one `tesseract` process runs: its LSTM computes its four gates in an
 * OpenMP team of four (`num_threads(GFS)`), whatever the core count and OMP_NUM_THREADS;
 * only OMP_THREAD_LIMIT lowers it. Measured with tesseract 5.3.0 on 2 cores: 4 threads
 * without a limit, also with OMP_NUM_THREADS=1 or 8; 2 with OMP_THREAD_LIMIT=2; 4 with 16.
 */
export const TESSERACT_CLI_MAX_THREADS = 4;

/** Engine threads each worker really runs. */
export function effectiveThreads(options: TargetOptions): number {
  if (options.engine === 'tesseract.js') return 1;
  // `oversubscribe` removes OMP_THREAD_LIMIT: every process runs tesseract's full team.
  if (options.faults.includes('oversubscribe')) return TESSERACT_CLI_MAX_THREADS;
  return Math.min(options.threadsPerWorker, TESSERACT_CLI_MAX_THREADS);
}
