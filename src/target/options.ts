import { availableParallelism } from 'node:os';

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
  /** TCP port; 0 picks a free one. @default 5000 */
  port: number;
  /** Listen address; loopback only by default. @default '127.0.0.1' */
  host: string;
  /** OCR workers. @default the number of cores */
  workers: number;
  /** Engine threads per worker (OMP_THREAD_LIMIT of the tesseract command). @default 1 */
  threadsPerWorker: number;
  /** @default 'tesseract.js' */
  engine: EngineName;
  /** Tesseract languages joined by +. @default 'spa+eng' */
  languages: string;
  /** @default [] */
  faults: FaultName[];
  /** Folder with uploads/, temp/, results/; default: a new folder under the OS temp dir. */
  dataDir: string | null;
  /** Files older than this are removed from uploads, temp and results; 0 = never, s. @default 3600 */
  retentionSeconds: number;
  /** Jobs waiting at most; more answer 429 with Retry-After. @default 1000 */
  queueLimit: number;
  /** Largest accepted file, bytes. @default 64 MiB */
  maxUploadBytes: number;
  /** Jobs in flight get this long to finish on SIGTERM, ms. @default 30000 */
  shutdownGraceMs: number;
}

export const TARGET_DEFAULTS: TargetOptions = {
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
  shutdownGraceMs: 30_000,
};

/** Fills defaults and applies the faults that change settings. */
export function resolveTargetOptions(input: Partial<TargetOptions>): TargetOptions {
  const options: TargetOptions = { ...TARGET_DEFAULTS };
  for (const [key, value] of Object.entries(input)) {
    if (value !== undefined) (options as unknown as Record<string, unknown>)[key] = value;
  }
  for (const fault of options.faults) {
    if (!(FAULT_NAMES as readonly string[]).includes(fault)) {
      throw new Error(`unknown fault "${fault}"; use one of ${FAULT_NAMES.join(', ')}`);
    }
  }
  return options;
}

/** Workers actually started, after `single-worker` and `oversubscribe`. */
export function effectiveWorkers(options: TargetOptions): number {
  if (options.faults.includes('single-worker')) return 1;
  // tesseract.js runs one WASM thread per worker: oversubscribing means more workers
  // than cores, all fighting for them (4 per core).
  if (options.faults.includes('oversubscribe') && options.engine === 'tesseract.js') {
    return availableParallelism() * 4;
  }
  return options.workers;
}
