import PDFDocument from 'pdfkit';
import { fontPath } from './font.ts';
import type { PageLayout } from './layout.ts';
import { paddingBytes } from './prng.ts';

/** A fixed date: pdfkit would otherwise write the clock into /CreationDate and /ID. */
const FIXED_DATE = new Date(Date.UTC(2024, 0, 1));
const POINTS_PER_INCH = 72;
const FONT_NAME = 'DejaVuSans';
const HEX = Buffer.from('0123456789abcdef', 'latin1');

/**
 * Draws one PDF page per layout with DejaVu Sans embedded (a subset). Positions come from
 * the pixel layout, so the PDF and the images of a document show the same lines.
 * `paddingLength` adds an uncompressed ASCIIHex stream object of exactly that many
 * content bytes (hex digits, then `>`), written before the pages and listed in the xref.
 */
export function buildPdf(
  layouts: PageLayout[],
  dpi: number,
  fontSizePt: number,
  paddingLength: number | null = null,
  seed = 0,
  paddingType = 'OcrbenchPadding',
): Promise<Buffer> {
  const scale = POINTS_PER_INCH / dpi;
  const doc = new PDFDocument({
    autoFirstPage: false,
    compress: true,
    info: { Producer: 'ocrbench', Creator: 'ocrbench', CreationDate: FIXED_DATE },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  if (paddingLength !== null) {
    // An explicit Filter also stops pdfkit from deflating the padding away.
    const padding = doc.ref({ Type: paddingType, Filter: 'ASCIIHexDecode' });
    const content = paddingBytes(paddingLength, seed).map((byte) => HEX[byte & 15] ?? 48);
    if (paddingLength > 0) content[paddingLength - 1] = 0x3e; // '>' ends ASCIIHex data
    padding.end(content);
  }

  doc.registerFont(FONT_NAME, fontPath());
  for (const layout of layouts) {
    doc.addPage({ size: [layout.widthPx * scale, layout.heightPx * scale], margin: 0 });
    doc.font(FONT_NAME).fontSize(fontSizePt).fillColor('#101010');
    layout.lines.forEach((line, i) => {
      doc.text(line, layout.marginPx * scale, (layout.linesTopPx[i] ?? 0) * scale, {
        lineBreak: false,
        // fontkit's form for "ligatures off", matching the images.
        features: { liga: false } as never,
      });
    });
  }
  doc.end();
  return done;
}

/**
 * Builds a PDF of exactly `target` bytes, or returns null when even an empty padding
 * object is too big. The padding length changes the digits of its /Length, so the size
 * is found by a few corrections; at a digit boundary (99 -> 100 adds two bytes) a one
 * letter longer /Type name shifts the size by the missing byte.
 */
export async function buildPdfOfSize(
  layouts: PageLayout[],
  dpi: number,
  fontSizePt: number,
  target: number,
  seed: number,
): Promise<Buffer | null> {
  const unpadded = await buildPdf(layouts, dpi, fontSizePt);
  if (unpadded.length === target) return unpadded;
  for (const type of ['OcrbenchPadding', 'OcrbenchPaddingX']) {
    const build = (length: number) => buildPdf(layouts, dpi, fontSizePt, length, seed, type);
    const smallest = await build(1);
    if (smallest.length > target) return null;
    let length = 1 + target - smallest.length;
    for (let attempt = 0; attempt < 4; attempt++) {
      const pdf = await build(length);
      if (pdf.length === target) return pdf;
      length += target - pdf.length;
      if (length < 1) break;
    }
  }
  return null;
}
