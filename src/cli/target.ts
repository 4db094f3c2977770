import type { CommandModule } from 'yargs';
import {
  FAULT_NAMES,
  TARGET_DEFAULTS,
  effectiveThreads,
  type EngineName,
  type FaultName,
} from '../target/options.ts';
import { parseFaults } from './faults.ts';
import { checkNumberFlags } from './numbers.ts';

interface TargetArguments {
  port: number;
  host: string;
  workers: number;
  threads: number;
  engine: string;
  languages: string;
  fault?: string;
  'data-dir'?: string;
  'retention-seconds': number;
  'queue-limit': number;
  'max-upload-mb': number;
  'grace-seconds': number;
  'page-timeout-seconds': number;
}

const MIB = 1024 * 1024;

/** `ocrbench target`: the built-in asynchronous OCR service (docs/target.md). */
const command: CommandModule<object, TargetArguments> = {
  command: 'target',
  describe: 'Start the built-in OCR target (loopback, ocrlotes API, real OCR)',
  builder: (yargs) =>
    yargs
      .option('port', {
        type: 'number',
        default: TARGET_DEFAULTS.port,
        describe: 'TCP port; 0 = any free one',
      })
      .option('host', { type: 'string', default: TARGET_DEFAULTS.host, describe: 'Listen address' })
      .option('workers', {
        type: 'number',
        default: TARGET_DEFAULTS.workers,
        describe: 'OCR workers (default: the core count)',
      })
      .option('threads', {
        type: 'number',
        default: TARGET_DEFAULTS.threadsPerWorker,
        describe: 'Engine threads per worker (tesseract-cli: OMP_THREAD_LIMIT)',
      })
      .option('engine', {
        type: 'string',
        choices: ['tesseract.js', 'tesseract-cli'],
        default: TARGET_DEFAULTS.engine,
        describe: 'OCR engine',
      })
      .option('languages', {
        type: 'string',
        default: TARGET_DEFAULTS.languages,
        describe: 'Languages, joined by +',
      })
      .option('fault', {
        type: 'string',
        describe: `Faults to switch on, comma separated: ${FAULT_NAMES.join(', ')}`,
      })
      .option('data-dir', {
        type: 'string',
        describe: 'Folder for uploads/, temp/, results/ (default: a new temp folder)',
      })
      .option('retention-seconds', {
        type: 'number',
        default: TARGET_DEFAULTS.retentionSeconds,
        describe: 'Remove files older than this, s; 0 = never',
      })
      .option('queue-limit', {
        type: 'number',
        default: TARGET_DEFAULTS.queueLimit,
        describe: 'Waiting jobs before uploads get 429',
      })
      .option('max-upload-mb', {
        type: 'number',
        default: TARGET_DEFAULTS.maxUploadBytes / MIB,
        describe: 'Largest file, MiB (413 above)',
      })
      .option('page-timeout-seconds', {
        type: 'number',
        default: TARGET_DEFAULTS.pageTimeoutMs / 1000,
        describe: 'A page not read in this long fails its job; the worker gets a new engine',
      })
      .option('grace-seconds', {
        type: 'number',
        default: TARGET_DEFAULTS.shutdownGraceMs / 1000,
        describe: 'On SIGTERM/SIGINT, time for queued and running jobs to finish, s',
      }),
  handler: async (args) => {
    checkNumberFlags(args, {
      port: { integer: true, min: 0, max: 65_535, hint: '0 = any free port' },
      workers: { integer: true, min: 1 },
      threads: { integer: true, min: 1 },
      'retention-seconds': { integer: true, min: 0, hint: '0 = never' },
      'queue-limit': { integer: true, min: 1 },
      'max-upload-mb': { above: 0 },
      'page-timeout-seconds': { above: 0 },
      'grace-seconds': { min: 0 },
    });
    const { startTarget } = await import('../target/index.ts');
    const target = await startTarget({
      port: args.port,
      host: args.host,
      workers: args.workers,
      threadsPerWorker: args.threads,
      engine: args.engine as EngineName,
      languages: args.languages,
      faults: args.fault ? (parseFaults(args.fault) as FaultName[]) : [],
      dataDir: args['data-dir'] ?? null,
      retentionSeconds: args['retention-seconds'],
      queueLimit: args['queue-limit'],
      maxUploadBytes: Math.round(args['max-upload-mb'] * MIB),
      shutdownGraceMs: Math.round(args['grace-seconds'] * 1000),
      pageTimeoutMs: Math.round(args['page-timeout-seconds'] * 1000),
    });
    const settings = target.service.options;
    process.stderr.write(
      `ocrbench target: ${target.url}  engine ${settings.engine} (${settings.languages}), ` +
        `${target.workers} workers x ${effectiveThreads(settings)} threads, ` +
        `faults: ${settings.faults.join(',') || 'none'}, queue limit ${settings.queueLimit}, ` +
        `max upload ${settings.maxUploadBytes} bytes, retention ` +
        `${settings.retentionSeconds || 'off'} s, data ${target.dataDir}\n`,
    );
    // Signal handlers before the ready line: a parent that reads it may send SIGTERM at once.
    const stopped = new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        process.stderr.write(
          `ocrbench target: ${signal}, finishing jobs (up to ${args['grace-seconds']} s)\n`,
        );
        void target.close().then(resolve);
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
    // The ready line: one JSON object on stdout, read by spawnTarget.
    process.stdout.write(
      `${JSON.stringify({
        ready: true,
        url: target.url,
        port: target.port,
        pid: process.pid,
        workers: target.workers,
        dataDir: target.dataDir,
        uploadsDir: target.uploadsDir,
        resultsDir: target.resultsDir,
      })}\n`,
    );
    await stopped;
    const report = await target.shutdown;
    process.stderr.write(
      `ocrbench target: stopped; unfinished jobs: ${report.queued} queued, ` +
        `${report.processing} processing\n`,
    );
    // Engine worker threads still inside a job after the grace period must not keep the
    // process alive: shutting down was asked for, and it succeeded.
    process.exit(0);
  },
};

export default command;
