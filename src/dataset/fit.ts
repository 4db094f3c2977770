import { OcrbenchError } from '../util/errors.ts';
import { debug } from '../util/log.ts';
import { firstLines, type PageLayout } from './layout.ts';
import type { DocumentFormat } from './manifest.ts';
import { padJpeg, padPng, padTiff } from './pad-image.ts';
import { buildPdf, buildPdfOfSize } from './pdf.ts';
import {
  describeEncoding,
  encodeImage,
  encodingsFor,
  renderPage,
  type ImageEncoding,
} from './raster.ts';
import type { SizeClass } from './sizes.ts';

/** One document to write: its pages (images use the first), before any fitting. */
export interface DocumentPlan {
  name: string;
  kind: 'receipt' | 'page';
  language: string;
  pages: PageLayout[];
}

/** A file's bytes and the pages it really shows (fewer lines for small size classes). */
export interface FittedFile {
  bytes: Buffer;
  pages: PageLayout[];
  /** How it was encoded, e.g. `two colours` or `quality 40, first 9 of 35 lines`. */
  rendering: string;
}

export interface FitSettings {
  dpi: number;
  fontSizePt: number;
  jpegQuality: number;
}

/** Line counts to try, halving down to one line: a partial page for tiny size classes. */
function lineCounts(total: number): number[] {
  const counts: number[] = [];
  for (let count = total; count >= 1; count = count === 1 ? 0 : Math.ceil(count / 2)) {
    counts.push(count);
  }
  return counts;
}

/**
 * Writes `plan` in `format` at exactly `sizeClass.bytes` bytes (or unpadded for
 * `natural`). Tries, in order, the full page with each encoding (best first), then fewer
 * lines; the first version that fits below the target is padded up to it.
 */
export async function fitDocument(
  plan: DocumentPlan,
  format: DocumentFormat,
  sizeClass: SizeClass,
  settings: FitSettings,
  seed: number,
): Promise<FittedFile> {
  const target = sizeClass.bytes;
  let smallest: { bytes: number; how: string } | null = null;
  for (const pages of pageVariants(plan, format)) {
    const shown = describePages(plan, pages);
    if (format === 'pdf') {
      const { dpi, fontSizePt } = settings;
      const bytes =
        target === null
          ? await buildPdf(pages, dpi, fontSizePt)
          : await buildPdfOfSize(pages, dpi, fontSizePt, target, seed);
      const rendering = shown ?? `${pages.length} page${pages.length === 1 ? '' : 's'}`;
      if (bytes) return { bytes, pages, rendering };
      smallest = { bytes: (await buildPdf(pages, dpi, fontSizePt)).length, how: 'unpadded' };
      continue;
    }
    for (const encoding of encodingsFor(format, settings.jpegQuality)) {
      const encoded = await encodeCached(plan, pages[0] as PageLayout, encoding, settings.dpi);
      const rendering = [describeEncoding(encoding), shown].filter(Boolean).join(', ');
      if (target === null) return { bytes: encoded, pages, rendering };
      const padded = pad(encoded, encoding, target, seed);
      if (padded) {
        debug('dataset: %s %s %s: %s', plan.name, format, sizeClass.name, rendering);
        return { bytes: padded, pages, rendering };
      }
      smallest = { bytes: encoded.length, how: describeEncoding(encoding) };
    }
  }
  const lines = plan.pages[0]?.lines.length ?? 0;
  throw new OcrbenchError(
    'E_DATASET',
    `size class ${sizeClass.name} (${target} bytes) is too small for ${format}: ` +
      `${plan.name} is still ${smallest?.bytes} bytes with one of its ${lines} lines ` +
      `(${smallest?.how}). Use a larger size class or another format.`,
  );
}

/**
 * Encoded images per document, keyed by lines shown and encoding: every size class of a
 * format starts from the same encodings, so each is rendered and compressed once.
 */
const encodedImages = new WeakMap<DocumentPlan, Map<string, Promise<Buffer>>>();

function encodeCached(
  plan: DocumentPlan,
  page: PageLayout,
  encoding: ImageEncoding,
  dpi: number,
): Promise<Buffer> {
  let cache = encodedImages.get(plan);
  if (!cache) encodedImages.set(plan, (cache = new Map()));
  const key = `${page.lines.length} ${JSON.stringify(encoding)}`;
  let encoded = cache.get(key);
  if (!encoded) {
    encoded = encodeImage(renderPage(page), encoding, dpi);
    cache.set(key, encoded);
  }
  return encoded;
}

/** `first 9 of 35 lines` for a partial page, null for a whole one. */
function describePages(plan: DocumentPlan, pages: PageLayout[]): string | null {
  const shown = pages[0]?.lines.length ?? 0;
  const total = plan.pages[0]?.lines.length ?? 0;
  return pages.length === 1 && shown < total ? `first ${shown} of ${total} lines` : null;
}

/** All pages, then the first page alone, then ever fewer lines of it. */
function* pageVariants(plan: DocumentPlan, format: DocumentFormat): Generator<PageLayout[]> {
  const first = plan.pages[0];
  if (!first) return;
  if (format === 'pdf' && plan.pages.length > 1) yield plan.pages;
  for (const count of lineCounts(first.lines.length)) {
    yield [count === first.lines.length ? first : firstLines(first, count)];
  }
}

function pad(bytes: Buffer, encoding: ImageEncoding, target: number, seed: number) {
  if (bytes.length > target) return null;
  switch (encoding.format) {
    case 'png':
      return padPng(bytes, target, seed);
    case 'jpeg':
      return padJpeg(bytes, target, seed);
    case 'tiff':
      return padTiff(bytes, target, seed);
  }
}
