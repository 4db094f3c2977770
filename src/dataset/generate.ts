import { createHash } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic-write.ts';
import { debug } from '../util/log.ts';
import { fitDocument, type DocumentPlan } from './fit.ts';
import { ensureFont } from './font.ts';
import { pageLayout, receiptLayout, type PageLayout } from './layout.ts';
import {
  MANIFEST_NAME,
  type DatasetFile,
  type DatasetManifest,
  type DocumentFormat,
} from './manifest.ts';
import { resolveGenerateOptions, type GenerateInput, type OptionNaming } from './options.ts';
import type { GenerateOptions } from './defaults.ts';
import { childSeed, seededRandom } from './prng.ts';
import { parseSizeClasses } from './sizes.ts';
import { pageParagraphs } from './text-page.ts';
import { receiptLines } from './text-receipt.ts';

const EXTENSIONS: Record<DocumentFormat, string> = {
  png: 'png',
  jpeg: 'jpg',
  tiff: 'tif',
  pdf: 'pdf',
};

/** Salt of the padding seed per format, so two formats of a document never share bytes. */
const FORMAT_SALT: Record<DocumentFormat, number> = { png: 1, jpeg: 2, tiff: 3, pdf: 4 };

/**
 * The text and layout of document `index`. Each page draws from its own seed derived from
 * (seed, index, page), so adding documents or pages never changes the earlier ones.
 */
export function planDocument(options: GenerateOptions, index: number): DocumentPlan {
  const isReceipt = options.kind === 'receipts' || (options.kind === 'mixed' && index % 2 === 0);
  const pageIndex = options.kind === 'mixed' ? Math.floor(index / 2) : index;
  const language = isReceipt
    ? 'spa'
    : (options.languages[pageIndex % options.languages.length] ?? 'eng');
  const pages: PageLayout[] = [];
  for (let page = 0; page < options.pdfPages; page++) {
    const random = seededRandom(childSeed(options.seed, index, page));
    pages.push(
      isReceipt
        ? receiptLayout(receiptLines(random), options.dpi, options.fontSizePt)
        : pageLayout(pageParagraphs(random, language), options.dpi, options.fontSizePt),
    );
  }
  const kind = isReceipt ? 'receipt' : 'page';
  const name = `${kind}-${String(index + 1).padStart(3, '0')}-${language}`;
  return { name, kind, language, pages };
}

/**
 * Generates a dataset: `count` documents, each written in every format and size class,
 * plus manifest.json. The same options and seed give byte-identical documents.
 * `naming`: how option errors name the options (`flags` from the CLI).
 */
export async function generateDataset(
  input: GenerateInput,
  naming: OptionNaming = 'options',
): Promise<DatasetManifest> {
  const options = resolveGenerateOptions(input, naming);
  const sizeClasses = parseSizeClasses(options.sizes);
  ensureFont();
  const files: DatasetFile[] = [];
  for (let index = 0; index < options.count; index++) {
    const plan = planDocument(options, index);
    for (const format of options.formats) {
      for (const [classIndex, sizeClass] of sizeClasses.entries()) {
        const seed = childSeed(options.seed, index, FORMAT_SALT[format] * 1000 + classIndex);
        const fitted = await fitDocument(plan, format, sizeClass, options, seed);
        const file = `${plan.name}-${sizeClass.name}.${EXTENSIONS[format]}`;
        await writeFileAtomic(join(options.out, file), fitted.bytes);
        const first = fitted.pages[0] as PageLayout;
        files.push({
          file,
          format,
          bytes: fitted.bytes.length,
          sizeClass: sizeClass.name,
          widthPx: first.widthPx,
          heightPx: first.heightPx,
          pages: fitted.pages.length,
          sha256: createHash('sha256').update(fitted.bytes).digest('hex'),
          language: plan.language,
          kind: plan.kind,
          groundTruth: fitted.pages.map((page) => page.lines.join('\n')).join('\n'),
          rendering: fitted.rendering,
        });
        debug('dataset: wrote %s (%d bytes)', file, fitted.bytes.length);
      }
    }
  }
  // The folder is where the files went, not part of what they are: left out so the
  // manifest of a regenerated dataset does not depend on where it was written.
  const { out: _out, ...generator } = options;
  const manifest: DatasetManifest = {
    version: 1,
    createdAt: new Date().toISOString(),
    generator,
    files,
  };
  await removeStaleFiles(options.out, files);
  await writeJsonAtomic(join(resolve(options.out), MANIFEST_NAME), manifest);
  return manifest;
}

/**
 * Regenerating into a folder that held an earlier generated dataset: its files that the new
 * manifest does not list are removed, so the folder holds exactly the manifest's documents.
 * Only files an earlier *generated* manifest listed are touched (never a user's own).
 */
async function removeStaleFiles(folder: string, files: DatasetFile[]): Promise<void> {
  let previous: DatasetManifest;
  try {
    previous = JSON.parse(await readFile(join(folder, MANIFEST_NAME), 'utf8')) as DatasetManifest;
  } catch {
    return;
  }
  if (!previous.generator || !Array.isArray(previous.files)) return;
  const kept = new Set(files.map((entry) => entry.file));
  for (const entry of previous.files) {
    // Names from our own manifest, but never a path out of the folder.
    if (kept.has(entry.file) || basename(entry.file) !== entry.file) continue;
    await rm(join(folder, entry.file), { force: true });
    debug('dataset: removed %s (not in the new manifest)', entry.file);
  }
}
