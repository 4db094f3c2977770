import { rasterisePdf } from '../imaging/rasterise-pdf.ts';

/**
 * Pages of a PDF read at most, from the first: a 100-page upload must not hold a worker for
 * minutes in a load test.
 */
export const PDF_MAX_PAGES = 10;

/**
 * A PDF's pages as 150 dpi grey PNGs, for engines that read images only (both engines
 * here). Rasterising is part of the job's processing time, as decoding is.
 * pdfjs-dist through the neutral src/imaging module (npm only, nothing fetched).
 */
export async function pdfPages(pdf: Buffer): Promise<Buffer[]> {
  try {
    return await rasterisePdf(pdf, { dpi: 150, maxPages: PDF_MAX_PAGES });
  } catch (error) {
    throw new Error(`the PDF could not be rasterised: ${(error as Error).message}`);
  }
}
