import sharp from 'sharp';

/**
 * Renders PDF pages to grey PNGs with pdfjs-dist (npm only, no system tools), so OCR
 * engines that cannot open PDFs (tesseract.js) can read them. Embedded fonts only: no
 * standard-font or CMap data is loaded, and nothing is fetched.
 *
 * A neutral module: the built-in target (src/target) rasterises uploaded PDFs with it and
 * the dataset read-back checks (src/dataset, its tests) do the same, without either one
 * importing the other. It imports nothing from src/.
 */
export interface RasteriseOptions {
  /**
   * Resolution of the images, dots per inch.
   * @default 150
   */
  dpi: number;
  /**
   * Render at most this many pages, from the first.
   * @default 50
   */
  maxPages: number;
}

export const RASTERISE_DEFAULTS: RasteriseOptions = { dpi: 150, maxPages: 50 };

/** PDF user space is 72 units an inch. */
const POINTS_PER_INCH = 72;

interface CanvasAndContext {
  canvas: { toBuffer(mime: 'image/png'): Buffer };
  context: unknown;
}

/** One PNG per page (8-bit grey, resolution written), first page first. */
export async function rasterisePdf(
  pdf: Uint8Array,
  options: Partial<RasteriseOptions> = {},
): Promise<Buffer[]> {
  const { dpi, maxPages } = { ...RASTERISE_DEFAULTS, ...options };
  // Loaded on use: pdfjs is large and only PDF read-back needs it.
  const { getDocument } = await import('pdfjs-dist/legacy/build/pdf.mjs');
  // pdfjs takes ownership of (detaches) the buffer it is given: hand it a copy.
  const task = getDocument({
    data: new Uint8Array(pdf),
    disableFontFace: true,
    useSystemFonts: false,
    isEvalSupported: false,
    verbosity: 0,
  });
  let document;
  try {
    document = await task.promise;
  } catch (error) {
    // A plain Error: each caller words it for its own users (the target fails the job).
    throw new Error(`not a readable PDF: ${String(error)}`, { cause: error });
  }
  try {
    const images: Buffer[] = [];
    for (let number = 1; number <= Math.min(document.numPages, maxPages); number++) {
      const page = await document.getPage(number);
      const viewport = page.getViewport({ scale: dpi / POINTS_PER_INCH });
      const width = Math.round(viewport.width);
      const height = Math.round(viewport.height);
      const factory = document.canvasFactory as {
        create(width: number, height: number): CanvasAndContext;
      };
      const target = factory.create(width, height);
      await page.render({
        canvas: target.canvas as never,
        canvasContext: target.context as never,
        viewport,
        background: '#ffffff',
      }).promise;
      const png = target.canvas.toBuffer('image/png');
      images.push(
        await sharp(png)
          .flatten({ background: '#ffffff' })
          .toColourspace('b-w')
          .withDensity(dpi)
          .png()
          .toBuffer(),
      );
      page.cleanup();
    }
    return images;
  } finally {
    await document.destroy();
  }
}
