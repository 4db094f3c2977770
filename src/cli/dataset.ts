import type { Argv, CommandModule } from 'yargs';
import { DOCUMENT_FORMATS, DOCUMENT_KINDS, GENERATE_DEFAULTS } from '../dataset/defaults.ts';
import { IMPORT_DEFAULTS } from '../dataset/import.ts';
import { assertWritableFolder } from '../util/writable.ts';
import { checkNumberFlags } from './numbers.ts';
import { commandGroup } from './subcommands.ts';
import { plural } from '../util/plural.ts';
import { skipReason } from './skip-reason.ts';

const D = GENERATE_DEFAULTS;

function generateBuilder(yargs: Argv<object>): Argv<GenerateArguments> {
  return yargs
    .option('out', { type: 'string', default: D.out, describe: 'Folder for files and manifest' })
    .option('kind', {
      type: 'string',
      choices: DOCUMENT_KINDS,
      default: D.kind,
      describe: 'Spanish receipts, A4 text pages, or both alternating',
    })
    .option('languages', {
      type: 'string',
      default: D.languages.join(','),
      describe: 'Languages of pages, used in turn (spa, eng); receipts are Spanish',
    })
    .option('formats', {
      type: 'string',
      default: D.formats.join(','),
      describe: `Formats of each document: ${DOCUMENT_FORMATS.join(', ')}`,
    })
    .option('dpi', { type: 'number', default: D.dpi, describe: 'Resolution, dots per inch' })
    .option('count', { type: 'number', default: D.count, describe: 'Distinct documents' })
    .option('seed', {
      type: 'number',
      default: D.seed,
      describe: 'PRNG seed (same seed, same bytes)',
    })
    .option('sizes', {
      type: 'string',
      default: D.sizes.join(','),
      describe: 'Size classes: exact targets (50KB,5MB: KB=1000 bytes; KiB=1024) or natural',
    })
    .option('pdf-pages', { type: 'number', default: D.pdfPages, describe: 'Pages in each PDF' })
    .option('font-size-pt', { type: 'number', default: D.fontSizePt, describe: 'Text size, pt' })
    .option('jpeg-quality', { type: 'number', default: D.jpegQuality, describe: 'JPEG quality' })
    .example('$0 dataset generate --out datasets/sizes --formats png,jpeg --sizes 50KB,5MB', '');
}

interface GenerateArguments {
  out: string;
  kind: string;
  languages: string;
  formats: string;
  dpi: number;
  count: number;
  seed: number;
  sizes: string;
  'pdf-pages': number;
  'font-size-pt': number;
  'jpeg-quality': number;
}

const generate: CommandModule<object, GenerateArguments> = {
  command: 'generate',
  describe: 'Generate documents with known text, exact sizes and manifest.json',
  builder: generateBuilder,
  handler: async (args) => {
    const integer = { integer: true };
    checkNumberFlags(args, {
      dpi: integer,
      count: integer,
      seed: integer,
      'pdf-pages': integer,
      'font-size-pt': integer,
      'jpeg-quality': integer,
    });
    // Before rendering (minutes for large size classes), not after.
    await assertWritableFolder(args.out, 'choose another --out');
    await warnAboveUploadLimit(args.sizes);
    const { generateDataset } = await import('../dataset/generate.ts');
    const manifest = await generateDataset(
      {
        out: args.out,
        kind: args.kind as typeof D.kind,
        languages: args.languages,
        formats: args.formats,
        dpi: args.dpi,
        count: args.count,
        seed: args.seed,
        sizes: args.sizes,
        pdfPages: args['pdf-pages'],
        fontSizePt: args['font-size-pt'],
        jpegQuality: args['jpeg-quality'],
      },
      'flags',
    );
    const bytes = manifest.files.reduce((sum, file) => sum + file.bytes, 0);
    process.stdout.write(
      `wrote ${plural(manifest.files.length, 'file')} (${(bytes / 1e6).toFixed(1)} MB) and ` +
        `manifest.json to ${args.out}\n`,
    );
  },
};

function importBuilder(yargs: Argv<object>): Argv<ImportArguments> {
  return yargs
    .positional('folder', { type: 'string', demandOption: true, describe: 'Your documents' })
    .option('size-classes', {
      type: 'string',
      choices: ['buckets', 'natural'],
      default: IMPORT_DEFAULTS.sizeClasses,
      describe: 'buckets: small <100KB, medium <1MB, large <10MB, huge; natural: one class',
    })
    .option('language', {
      type: 'string',
      default: IMPORT_DEFAULTS.language,
      describe: 'Language code(s) recorded for each file',
    })
    .option('force', {
      type: 'boolean',
      default: IMPORT_DEFAULTS.force,
      describe: 'Replace a manifest written by dataset generate',
    });
}

interface ImportArguments {
  folder: string;
  'size-classes': string;
  language: string;
  force: boolean;
}

const importCommand: CommandModule<object, ImportArguments> = {
  command: 'import <folder>',
  describe: 'Write manifest.json for your own documents (ground truth from sidecar .txt)',
  builder: importBuilder,
  handler: async (args) => {
    const { importDataset } = await import('../dataset/import.ts');
    const { manifest, skipped, warnings } = await importDataset(args.folder, {
      sizeClasses: args['size-classes'] as 'buckets' | 'natural',
      language: args.language,
      force: args.force,
    });
    for (const note of skipped) {
      process.stderr.write(`ocrbench: skipped ${note.file}: ${skipReason(note.reason)}\n`);
    }
    for (const note of warnings) {
      process.stderr.write(`ocrbench: warning: ${note.file}: ${note.message}\n`);
    }
    const linked = manifest.files.filter((file) => file.link);
    for (const file of linked) {
      const where = file.link!.outside ? ' (outside the folder)' : '';
      process.stderr.write(`ocrbench: linked ${file.file} -> ${file.link!.target}${where}\n`);
    }
    const outside = linked.filter((file) => file.link!.outside).length;
    const withTruth = manifest.files.filter((file) => file.groundTruth !== null).length;
    const without = manifest.files.length - withTruth;
    process.stdout.write(
      `wrote ${args.folder}/manifest.json: ${plural(manifest.files.length, 'document')}, ` +
        `${withTruth} with ground truth` +
        (without > 0 ? `, ${without} without (no accuracy check for those)` : '') +
        (linked.length > 0 ? `, ${linked.length} through symbolic links` : '') +
        (outside > 0 ? ` (${outside} outside the folder)` : '') +
        `, ${skipped.length} skipped` +
        (warnings.length > 0
          ? `, ${warnings.length} warning${warnings.length === 1 ? '' : 's'} (stderr)`
          : '') +
        '\n',
    );
  },
};

/** `ocrbench dataset generate|import`: documents to upload, with their ground truth. */
export default commandGroup(
  'dataset',
  'Generate a dataset with ground truth, or import your own documents',
  [generate as unknown as CommandModule, importCommand as unknown as CommandModule],
);

/**
 * A size class larger than the built-in target accepts is allowed (another service may take
 * it), but said before minutes of rendering: the built-in target would answer 413.
 */
async function warnAboveUploadLimit(sizes: string): Promise<void> {
  const { parseSizeClasses } = await import('../dataset/sizes.ts');
  const { TARGET_DEFAULTS } = await import('../target/options.ts');
  const limit = TARGET_DEFAULTS.maxUploadBytes;
  for (const sizeClass of parseSizeClasses(sizes, '--sizes')) {
    if (sizeClass.bytes !== null && sizeClass.bytes > limit) {
      process.stderr.write(
        `ocrbench: note: size class ${sizeClass.name} (${sizeClass.bytes} bytes) is above the ` +
          `built-in target's upload limit (${limit} bytes): it would answer 413 unless started ` +
          'with a larger --max-upload-mb.\n',
      );
    }
  }
}
