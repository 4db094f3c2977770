import { createCanvas, type SKRSContext2D } from '@napi-rs/canvas';
import { ensureFont, FONT_FAMILY } from './font.ts';

/** Where text goes on one page. Lengths are pixels at the dataset's dpi. */
export interface PageLayout {
  widthPx: number;
  heightPx: number;
  marginPx: number;
  fontPx: number;
  lineHeightPx: number;
  /** Lines as drawn, top to bottom; their `\n` join is the page's ground truth. */
  lines: string[];
  /** Top of each line's text box, px (paragraph gaps make it uneven). */
  linesTopPx: number[];
}

/** Physical sizes, inches. A4 is 210 x 297 mm; a receipt is a narrow slip. */
const A4 = { width: 210 / 25.4, height: 297 / 25.4, margin: 0.8 };
const RECEIPT = { width: 4.6, margin: 0.3 };
/** Line pitch as a multiple of the font size; generous, as on printed receipts. */
const LINE_SPACING = 1.5;

export function fontString(fontPx: number): string {
  return `${fontPx}px "${FONT_FAMILY}"`;
}

function measuringContext(fontPx: number): SKRSContext2D {
  ensureFont();
  const context = createCanvas(8, 8).getContext('2d');
  context.font = fontString(fontPx);
  context.fontVariantLigatures = 'none'; // as when drawing, so widths match
  return context;
}

/** Greedy word wrap by measured width; a word longer than the line is left whole. */
export function wrap(context: SKRSContext2D, text: string, maxWidthPx: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(' ').filter(Boolean)) {
    const candidate = current === '' ? word : `${current} ${word}`;
    if (current !== '' && context.measureText(candidate).width > maxWidthPx) {
      lines.push(current);
      current = word;
    } else {
      current = candidate;
    }
  }
  if (current !== '') lines.push(current);
  return lines;
}

/** A receipt: every given line (wrapped when too wide); height follows the content. */
export function receiptLayout(lines: string[], dpi: number, fontSizePt: number): PageLayout {
  const fontPx = Math.round((fontSizePt * dpi) / 72);
  const lineHeightPx = Math.round(fontPx * LINE_SPACING);
  const marginPx = Math.round(RECEIPT.margin * dpi);
  const widthPx = Math.round(RECEIPT.width * dpi);
  const context = measuringContext(fontPx);
  const wrapped = lines.flatMap((line) => wrap(context, line, widthPx - 2 * marginPx));
  return {
    widthPx,
    heightPx: 2 * marginPx + wrapped.length * lineHeightPx,
    marginPx,
    fontPx,
    lineHeightPx,
    lines: wrapped,
    linesTopPx: wrapped.map((_, i) => marginPx + i * lineHeightPx),
  };
}

/** An A4 page filled with as many whole lines of the paragraphs as fit. */
export function pageLayout(paragraphs: string[], dpi: number, fontSizePt: number): PageLayout {
  const fontPx = Math.round((fontSizePt * dpi) / 72);
  const lineHeightPx = Math.round(fontPx * LINE_SPACING);
  const marginPx = Math.round(A4.margin * dpi);
  const widthPx = Math.round(A4.width * dpi);
  const heightPx = Math.round(A4.height * dpi);
  const context = measuringContext(fontPx);
  const lines: string[] = [];
  const linesTopPx: number[] = [];
  let top = marginPx;
  for (const paragraph of paragraphs) {
    for (const line of wrap(context, paragraph, widthPx - 2 * marginPx)) {
      if (top + lineHeightPx > heightPx - marginPx) return { ...base(), lines, linesTopPx };
      lines.push(line);
      linesTopPx.push(top);
      top += lineHeightPx;
    }
    top += Math.round(lineHeightPx / 2); // paragraph gap
  }
  return { ...base(), lines, linesTopPx };

  function base() {
    return { widthPx, heightPx, marginPx, fontPx, lineHeightPx };
  }
}

/** The first `count` lines of a layout: a partial page for small size classes. */
export function firstLines(layout: PageLayout, count: number): PageLayout {
  const lines = layout.lines.slice(0, count);
  const lastTop = layout.linesTopPx[lines.length - 1] ?? layout.marginPx;
  return {
    ...layout,
    heightPx: lastTop + layout.lineHeightPx + layout.marginPx,
    lines,
    linesTopPx: layout.linesTopPx.slice(0, count),
  };
}
