import { createCanvas } from '@napi-rs/canvas';
import sharp from 'sharp';
import { ensureFont } from './font.ts';
import { fontString, type PageLayout } from './layout.ts';

/** One grey channel, 8 bits a pixel, row by row. */
export interface GreyImage {
  widthPx: number;
  heightPx: number;
  pixels: Buffer;
}

/** Draws the layout's lines in near-black on white and keeps one channel. */
export function renderPage(layout: PageLayout): GreyImage {
  ensureFont();
  const canvas = createCanvas(layout.widthPx, layout.heightPx);
  const context = canvas.getContext('2d');
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, layout.widthPx, layout.heightPx);
  context.fillStyle = '#101010';
  context.font = fontString(layout.fontPx);
  context.textBaseline = 'top';
  // No "fi" ligature: the ground truth has two letters, and engines may emit U+FB01.
  context.fontVariantLigatures = 'none';
  layout.lines.forEach((line, i) => {
    context.fillText(line, layout.marginPx, layout.linesTopPx[i] ?? 0);
  });
  const rgba = canvas.data();
  const pixels = Buffer.allocUnsafe(layout.widthPx * layout.heightPx);
  for (let i = 0; i < pixels.length; i++) pixels[i] = rgba[i * 4] ?? 255;
  return { widthPx: layout.widthPx, heightPx: layout.heightPx, pixels };
}

/**
 * Ways to encode an image, from best quality to smallest file. Small size classes walk
 * down the list until the image fits under the byte target.
 */
export type ImageEncoding =
  | { format: 'png'; bilevel: boolean }
  | { format: 'jpeg'; quality: number }
  | { format: 'tiff'; bilevel: boolean };

export function encodingsFor(format: 'png' | 'jpeg' | 'tiff', quality: number): ImageEncoding[] {
  if (format === 'jpeg') {
    const qualities = [quality, 70, 55, 40].filter((q) => q <= quality);
    return [...new Set(qualities)].map((q) => ({ format, quality: q }));
  }
  return [
    { format, bilevel: false },
    { format, bilevel: true },
  ];
}

export function describeEncoding(encoding: ImageEncoding): string {
  if (encoding.format === 'jpeg') return `quality ${encoding.quality}`;
  return encoding.bilevel ? 'two colours' : '8-bit grey';
}

/** Threshold between ink and paper for two-colour encodings, 0-255. */
const INK_THRESHOLD = 160;

/**
 * Encodes with sharp and writes the resolution: PNG pHYs and JPEG JFIF from `density`,
 * TIFF XResolution in pixels/mm converted by libvips to the inch unit.
 */
export async function encodeImage(
  image: GreyImage,
  encoding: ImageEncoding,
  dpi: number,
): Promise<Buffer> {
  let pipeline = sharp(image.pixels, {
    raw: { width: image.widthPx, height: image.heightPx, channels: 1 },
  })
    .withDensity(dpi)
    .toColourspace('b-w');
  if (encoding.format !== 'jpeg' && encoding.bilevel) pipeline = pipeline.threshold(INK_THRESHOLD);
  switch (encoding.format) {
    case 'png':
      return pipeline
        .png({
          compressionLevel: 9,
          adaptiveFiltering: false,
          ...(encoding.bilevel ? { palette: true, colours: 2, dither: 0 } : {}),
        })
        .toBuffer();
    case 'jpeg':
      return pipeline.jpeg({ quality: encoding.quality, chromaSubsampling: '4:4:4' }).toBuffer();
    case 'tiff':
      return pipeline
        .tiff({
          compression: encoding.bilevel ? 'ccittfax4' : 'lzw',
          ...(encoding.bilevel ? { bitdepth: 1 as const } : {}),
          xres: dpi / 25.4,
          yres: dpi / 25.4,
          resolutionUnit: 'inch',
        })
        .toBuffer();
  }
}
