/**
 * Page count and first page size of a PDF from its text, without a PDF library. Reads
 * uncompressed dictionaries only: in PDFs that keep page objects inside compressed object
 * streams (PDF 1.5+) it finds none and reports null, which the manifest records as 0 x 0.
 */
export interface PdfInfo {
  pages: number;
  /** MediaBox of the first page found, points (1/72 inch). */
  widthPt: number | null;
  heightPt: number | null;
}

export function readPdfInfo(pdf: Buffer): PdfInfo | null {
  const text = pdf.toString('latin1');
  const pages = text.match(/\/Type\s*\/Page(?![a-zA-Z])/g)?.length ?? 0;
  const counts = [...text.matchAll(/\/Type\s*\/Pages\b[^>]*?\/Count\s+(\d+)/g)];
  const total = Math.max(pages, ...counts.map((match) => Number(match[1])));
  if (total === 0) return null;
  const box = /\/MediaBox\s*\[\s*([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s*\]/.exec(text);
  if (!box) return { pages: total, widthPt: null, heightPt: null };
  const [x0, y0, x1, y1] = box.slice(1, 5).map(Number) as [number, number, number, number];
  return { pages: total, widthPt: Math.abs(x1 - x0), heightPt: Math.abs(y1 - y0) };
}
