import { encodeImage, renderPage } from '../../src/dataset/raster.ts';
import { receiptLayout } from '../../src/dataset/layout.ts';
import { buildPdf } from '../../src/dataset/pdf.ts';

/**
 * Tiny documents with known words for the target's tests, drawn by the dataset's own
 * renderer (npm DejaVu font registered by src/dataset/font.ts, so never a blank page).
 */

/** Resolution written into the images, dpi: the target's engines assume 150. */
const DPI = 150;
/** Font size, pt: 14 pt at 150 dpi is 29 px, large enough for a clean read. */
const FONT_PT = 14;

/**
 * A grey PNG of about 690 px wide, one line of text per entry (about 130 px tall for
 * one line): tens of ms of OCR with tesseract.js.
 */
export function linesPng(lines: string[]): Promise<Buffer> {
  const image = renderPage(receiptLayout(lines, DPI, FONT_PT));
  return encodeImage(image, { format: 'png', bilevel: false }, DPI);
}

/** A PDF with one page per entry of `pages`, each page showing its lines. */
export function linesPdf(pages: string[][]): Promise<Buffer> {
  return buildPdf(
    pages.map((lines) => receiptLayout(lines, DPI, FONT_PT)),
    DPI,
    FONT_PT,
  );
}

/**
 * A PNG signature followed by garbage: passes the content check, fails decoding.
 * `length` bytes in all.
 */
export function corruptPng(length = 2048): Buffer {
  const bytes = Buffer.alloc(length);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(bytes);
  for (let i = 8; i < length; i++) bytes[i] = (i * 7919) & 0xff;
  return bytes;
}

/** Words compared loosely: lower case, letters and digits only. */
export function wordsOf(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}
