import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import sharp from 'sharp';
import { writeJsonAtomic } from '../util/atomic-write.ts';
import { OcrbenchError } from '../util/errors.ts';
import { debug } from '../util/log.ts';
import { sniffFormat } from './magic.ts';
import { MANIFEST_NAME, type DatasetFile, type DatasetManifest } from './manifest.ts';
import { readPdfInfo } from './pdf-info.ts';
import { importedSizeClass, NATURAL } from './sizes.ts';

/** Options of `ocrbench dataset import` and `importDataset()`. */
export interface ImportOptions {
  /**
   * `buckets`: size class from bytes (small < 100 KB <= medium < 1 MB <= large < 10 MB <=
   * huge); `natural`: every file in one class named `natural`.
   * @default "buckets"
   */
  sizeClasses: 'buckets' | 'natural';
  /**
   * Tesseract language code(s) recorded for every file, e.g. `spa`, `eng` or `spa+eng`.
   * @default "spa+eng"
   */
  language: string;
  /**
   * Replace a manifest written by `dataset generate` (its ground truth would be lost).
   * @default false
   */
  force: boolean;
}

export const IMPORT_DEFAULTS: ImportOptions = {
  sizeClasses: 'buckets',
  language: 'spa+eng',
  force: false,
};

export interface ImportResult {
  manifest: DatasetManifest;
  /** Files left out, with the reason (not a document, unreadable image). */
  skipped: Array<{ file: string; reason: string }>;
}

/** Every file under `folder`, sorted, skipping hidden names. */
async function listFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(folder, join(entry.parentPath, entry.name)))
    .filter((file) => !file.split(sep).some((part) => part.startsWith('.')))
    .sort();
}

/** Ground truth from `name.txt` or `name.ext.txt`: UTF-8, BOM and final newlines removed. */
async function readSidecar(folder: string, file: string): Promise<string | null> {
  const stem = file.slice(0, file.length - extname(file).length);
  for (const candidate of [`${stem}.txt`, `${file}.txt`]) {
    const path = join(folder, candidate);
    if (!existsSync(path)) continue;
    const text = await readFile(path, 'utf8');
    return text
      .replace(/^\uFEFF/, '')
      .replace(/\r\n?/g, '\n')
      .replace(/\n+$/, '');
  }
  return null;
}

/**
 * Builds `<folder>/manifest.json` for the user's own documents: format by magic bytes,
 * ground truth from sidecar `.txt` files (null without one: no accuracy check for it).
 */
export async function importDataset(
  folder: string,
  input: Partial<ImportOptions> = {},
): Promise<ImportResult> {
  const options = { ...IMPORT_DEFAULTS, ...input };
  if (!existsSync(folder)) {
    throw new OcrbenchError('E_DATASET', `${folder}: no such folder to import.`);
  }
  await refuseGeneratedManifest(folder, options.force);
  const files: DatasetFile[] = [];
  const skipped: ImportResult['skipped'] = [];
  for (const file of await listFiles(folder)) {
    if (file === MANIFEST_NAME || extname(file).toLowerCase() === '.txt') continue;
    const bytes = await readFile(join(folder, file));
    const format = sniffFormat(bytes);
    if (format === null) {
      skipped.push({ file, reason: 'not a PNG, JPEG, TIFF or PDF (by its first bytes)' });
      continue;
    }
    const size = await measure(bytes, format);
    if ('error' in size) {
      skipped.push({ file, reason: `${format} that cannot be read: ${size.error}` });
      continue;
    }
    files.push({
      file: file.split(sep).join('/'),
      format,
      bytes: bytes.length,
      sizeClass: options.sizeClasses === 'natural' ? NATURAL : importedSizeClass(bytes.length),
      ...size,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      language: options.language,
      kind: 'imported',
      groundTruth: await readSidecar(folder, file),
    });
  }
  for (const note of skipped) debug('dataset import: skipped %s: %s', note.file, note.reason);
  if (files.length === 0) {
    throw new OcrbenchError(
      'E_DATASET',
      `${folder}: no PNG, JPEG, TIFF or PDF documents found (${skipped.length} other files).`,
    );
  }
  const manifest: DatasetManifest = {
    version: 1,
    createdAt: new Date().toISOString(),
    generator: null,
    files,
  };
  await writeJsonAtomic(join(folder, MANIFEST_NAME), manifest);
  return { manifest, skipped };
}

type Measured = { widthPx: number; heightPx: number; pages: number } | { error: string };

async function measure(bytes: Buffer, format: string): Promise<Measured> {
  if (format === 'pdf') {
    const info = readPdfInfo(bytes);
    // PDFs have no pixels: the size is the first page at 150 dpi, 0 when not found.
    const px = (points: number | null | undefined) => Math.round(((points ?? 0) * 150) / 72);
    return { widthPx: px(info?.widthPt), heightPx: px(info?.heightPt), pages: info?.pages ?? 0 };
  }
  try {
    const metadata = await sharp(bytes).metadata();
    return {
      widthPx: metadata.width ?? 0,
      heightPx: metadata.pageHeight ?? metadata.height ?? 0,
      pages: metadata.pages ?? 1,
    };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

async function refuseGeneratedManifest(folder: string, force: boolean): Promise<void> {
  const path = join(folder, MANIFEST_NAME);
  if (force || !existsSync(path)) return;
  try {
    const existing = JSON.parse(await readFile(path, 'utf8')) as Partial<DatasetManifest>;
    if (existing.generator == null) return;
  } catch {
    return; // an unreadable manifest is replaced
  }
  throw new OcrbenchError(
    'E_DATASET',
    `${path} was written by \`dataset generate\`; importing would drop its ground truth. ` +
      `Use --force to replace it, or import another folder.`,
  );
}
