import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, readlink, realpath, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, relative, sep } from 'node:path';
import sharp from 'sharp';
import { writeJsonAtomic } from '../util/atomic-write.ts';
import { OcrbenchError } from '../util/errors.ts';
import { debug } from '../util/log.ts';
import { sniffFormat } from './magic.ts';
import { MANIFEST_NAME, type DatasetFile, type DatasetManifest } from './manifest.ts';
import { readPdfInfo } from './pdf-info.ts';
import { decodeSidecar, type SidecarEncoding } from './sidecar.ts';
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
  /**
   * Files left out, with the reason: not a document, an unreadable image, a broken symbolic
   * link, a link loop, a file that cannot be read.
   */
  skipped: Array<{ file: string; reason: string }>;
  /** Files imported with a problem worth a look: a sidecar that was not UTF-8, say. */
  warnings: Array<{ file: string; message: string }>;
}

/** Where a symbolic link leads: the manifest entry's `link`. */
export interface LinkTarget {
  /** Real path of the file: relative to the folder (`/`-separated) inside it, else absolute. */
  target: string;
  /** The file lies outside the imported folder. */
  outside: boolean;
}

/** A regular file found under the folder; `link` when reached through a symbolic link. */
interface Found {
  file: string;
  link: LinkTarget | null;
}

type Skipped = ImportResult['skipped'];

/**
 * Every regular file under `folder`, sorted, skipping hidden names. Symbolic links are
 * followed, to files and folders, inside the folder or outside it; a broken link, a link
 * loop (ELOOP), a link to a folder that contains it, and an unreadable folder are added to
 * `skipped` with the reason.
 */
async function listFiles(folder: string, skipped: Skipped): Promise<Found[]> {
  const root = await realpath(folder);
  const found: Found[] = [];
  const where = (real: string): LinkTarget => {
    const inside = relative(root, real);
    const outside = inside === '' || inside.startsWith('..') || inside === real;
    return { target: outside ? real : inside.split(sep).join('/'), outside };
  };

  /** `path`: as reached from the folder; `real`: its real path; `chain`: real folders above. */
  const visit = async (path: string, real: string, chain: string[], linked: boolean) => {
    let entries;
    try {
      entries = await readdir(path, { withFileTypes: true });
    } catch (error) {
      skipped.push({
        file: relative(folder, path),
        reason: `folder cannot be read: ${code(error)}`,
      });
      return;
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const entryPath = join(path, entry.name);
      const file = relative(folder, entryPath);
      if (entry.isSymbolicLink()) {
        const resolved = await followLink(entryPath);
        if ('reason' in resolved) {
          skipped.push({ file, reason: resolved.reason });
        } else if (resolved.isDirectory) {
          // A folder on the way down, or one holding the imported folder: walking it would
          // come back here for ever.
          const above = (folderReal: string) =>
            folderReal === resolved.real || folderReal.startsWith(resolved.real + sep);
          if (chain.some(above)) {
            const shown =
              resolved.real === root ? 'the imported folder' : where(resolved.real).target;
            skipped.push({
              file,
              reason: `symbolic link loop: it leads to ${shown}, a folder that holds the link`,
            });
          } else {
            await visit(entryPath, resolved.real, [...chain, resolved.real], true);
          }
        } else if (resolved.isFile) {
          found.push({ file, link: where(resolved.real) });
        } else {
          skipped.push({ file, reason: 'symbolic link to something that is not a file' });
        }
      } else if (entry.isDirectory()) {
        const entryReal = join(real, entry.name);
        await visit(entryPath, entryReal, [...chain, entryReal], linked);
      } else if (entry.isFile()) {
        found.push({ file, link: linked ? where(join(real, entry.name)) : null });
      }
    }
  };
  await visit(folder, root, [root], false);
  return found.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

type Followed = { real: string; isFile: boolean; isDirectory: boolean } | { reason: string };

/** Resolves a symbolic link to its real path, or says why it leads nowhere. */
async function followLink(path: string): Promise<Followed> {
  const pointsTo = await readlink(path).catch(() => '?');
  try {
    const real = await realpath(path);
    const info = await stat(real);
    return { real, isFile: info.isFile(), isDirectory: info.isDirectory() };
  } catch (error) {
    const errno = code(error);
    if (errno === 'ELOOP') {
      return { reason: `symbolic link loop: it points to ${pointsTo}, which leads back (ELOOP)` };
    }
    if (errno === 'ENOENT' || errno === 'ENOTDIR') {
      return { reason: `broken symbolic link: its target ${pointsTo} does not exist` };
    }
    return { reason: `symbolic link to ${pointsTo} cannot be followed: ${errno}` };
  }
}

function code(error: unknown): string {
  const errno = (error as NodeJS.ErrnoException | null)?.code;
  return errno ?? (error instanceof Error ? error.message : String(error));
}

interface Sidecar {
  text: string;
  /** Set when the sidecar was not UTF-8: how it was read. */
  encoding: SidecarEncoding | null;
  /** The sidecar exists but could not be read: no ground truth. */
  unread: boolean;
  /** Path of the sidecar relative to the folder (or absolute, next to a link's target). */
  file: string;
  warning: string | null;
}

/**
 * Ground truth from `name.txt` or `name.ext.txt` next to the document, or, for a document
 * reached through a symbolic link without one, next to the link's target. UTF-8 expected;
 * other bytes are decoded with a warning (decodeSidecar).
 */
async function readSidecar(folder: string, found: Found): Promise<Sidecar | null> {
  const { file, link } = found;
  const candidates = (base: string, name: string) => {
    const stem = name.slice(0, name.length - extname(name).length);
    return [`${stem}.txt`, `${name}.txt`].map((candidate) => join(base, candidate));
  };
  const paths = candidates(folder, file);
  if (link) {
    const target = link.outside ? link.target : join(folder, link.target);
    paths.push(...candidates(dirname(target), basename(target)));
  }
  for (const path of paths) {
    if (!existsSync(path)) continue;
    const shown = relative(folder, path).startsWith('..') ? path : relative(folder, path);
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (error) {
      const warning = `cannot be read (${code(error)})`;
      return { text: '', encoding: null, unread: true, file: shown, warning };
    }
    const decoded = decodeSidecar(bytes);
    return {
      text: decoded.text,
      encoding: decoded.encoding === 'utf-8' ? null : decoded.encoding,
      unread: false,
      file: shown,
      warning: decoded.warning,
    };
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
  // Tesseract's codes: three letters, an optional script or variant (chi_sim), joined by +.
  if (!/^[a-z]{3}(_[a-z]+)?(\+[a-z]{3}(_[a-z]+)?)*$/.test(options.language)) {
    throw new OcrbenchError(
      'E_DATASET',
      `--language ${JSON.stringify(options.language)}: expected tesseract language codes ` +
        'joined by +, e.g. spa, eng or spa+eng. Fix: give the language of your documents.',
    );
  }
  if (!existsSync(folder)) {
    throw new OcrbenchError('E_DATASET', `${folder}: no such folder to import.`);
  }
  if (!(await stat(folder)).isDirectory()) {
    throw new OcrbenchError('E_DATASET', `${folder}: not a folder; give the folder to import.`);
  }
  await refuseGeneratedManifest(folder, options.force);
  const files: DatasetFile[] = [];
  const skipped: Skipped = [];
  const warnings: ImportResult['warnings'] = [];
  const sidecarWarnings = new Map<string, Sidecar & { documents: string[] }>();
  for (const found of await listFiles(folder, skipped)) {
    const { file, link } = found;
    if (file === MANIFEST_NAME || extname(file).toLowerCase() === '.txt') continue;
    let bytes: Buffer;
    try {
      bytes = await readFile(join(folder, file));
    } catch (error) {
      skipped.push({ file, reason: `cannot be read: ${code(error)}` });
      continue;
    }
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
    const sidecar = await readSidecar(folder, found);
    if (sidecar?.warning) {
      // One warning per sidecar, naming every document that takes its text (a link and
      // its target share the target's sidecar).
      const earlier = sidecarWarnings.get(sidecar.file);
      if (earlier) earlier.documents.push(file);
      else sidecarWarnings.set(sidecar.file, { ...sidecar, documents: [file] });
    }
    const truth = sidecar && !sidecar.unread ? sidecar : null;
    files.push({
      file: file.split(sep).join('/'),
      format,
      bytes: bytes.length,
      sizeClass: options.sizeClasses === 'natural' ? NATURAL : importedSizeClass(bytes.length),
      ...size,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      language: options.language,
      kind: 'imported',
      groundTruth: truth ? truth.text : null,
      ...(truth?.encoding ? { groundTruthEncoding: truth.encoding } : {}),
      ...(link ? { link } : {}),
    });
  }
  for (const [sidecarFile, { warning, unread, documents }] of sidecarWarnings) {
    const names = documents.join(', ');
    const message = unread
      ? `${warning}: ${names} imported without ground truth`
      : `${warning}; ground truth of ${names}`;
    warnings.push({ file: sidecarFile, message });
  }
  for (const note of skipped) debug('dataset import: skipped %s: %s', note.file, note.reason);
  for (const note of warnings) debug('dataset import: %s: %s', note.file, note.message);
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
  return { manifest, skipped, warnings };
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
