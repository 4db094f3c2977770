import type { CommandModule } from 'yargs';
import { FAULT_NAMES, TARGET_DEFAULTS } from '../target/options.ts';
import { parseFaults } from './faults.ts';

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
}

/** `ocrbench target`: the built-in asynchronous OCR service (docs/target.md). */
const command: CommandModule<object, TargetArguments> = {
  command: 'target',
  describe: 'Start the built-in OCR target (loopback, tesseract.js, ocrlotes API)',
  builder: (yargs) =>
    yargs
      .option('port', {
        type: 'number',
        default: TARGET_DEFAULTS.port,
        describe: 'TCP port; 0 = any free',
      })
      .option('host', { type: 'string', default: TARGET_DEFAULTS.host, describe: 'Listen address' })
      .option('workers', {
        type: 'number',
        default: TARGET_DEFAULTS.workers,
        describe: 'OCR workers',
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
        describe: `Faults, comma separated: ${FAULT_NAMES.join(', ')}`,
      })
      .option('data-dir', {
        type: 'string',
        describe: 'Folder for uploads/, temp/, results/ (default: new temp folder)',
      })
      .option('retention-seconds', {
        type: 'number',
        default: TARGET_DEFAULTS.retentionSeconds,
        describe: 'Remove files older than this; 0 = never',
      })
      .option('queue-limit', {
        type: 'number',
        default: TARGET_DEFAULTS.queueLimit,
        describe: 'Waiting jobs before 429',
      })
      .option('max-upload-mb', {
        type: 'number',
        default: TARGET_DEFAULTS.maxUploadBytes / 1024 / 1024,
        describe: 'Largest file, MiB (413 above)',
      }),
  handler: async (args) => {
    const { startTarget } = await import('../target/index.ts');
    const target = await startTarget({
      port: args.port,
      host: args.host,
      workers: args.workers,
      threadsPerWorker: args.threads,
      engine: args.engine as 'tesseract.js' | 'tesseract-cli',
      languages: args.languages,
      faults: args.fault ? (parseFaults(args.fault) as (typeof FAULT_NAMES)[number][]) : [],
      dataDir: args['data-dir'] ?? null,
      retentionSeconds: args['retention-seconds'],
      queueLimit: args['queue-limit'],
      maxUploadBytes: Math.round(args['max-upload-mb'] * 1024 * 1024),
    });
    const settings = target.service.options;
    process.stderr.write(
      `ocrbench target: ${target.url}  engine ${settings.engine} (${settings.languages}), ` +
        `${target.workers} workers x ${settings.threadsPerWorker} threads, ` +
        `faults: ${settings.faults.join(',') || 'none'}, data ${target.dataDir}\n`,
    );
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
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.stderr.write('ocrbench target: shutting down, finishing jobs in flight\n');
        void target.close().then(resolve);
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });
  },
};

export default command;
