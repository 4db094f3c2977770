import type { DocumentFormat } from './manifest.ts';

/** What documents to draw. */
export type DocumentKind = 'receipts' | 'pages' | 'mixed';

export const DOCUMENT_KINDS: readonly DocumentKind[] = ['receipts', 'pages', 'mixed'];
export const DOCUMENT_FORMATS: readonly DocumentFormat[] = ['png', 'jpeg', 'tiff', 'pdf'];
/** Languages with text generators and tesseract data in node_modules. */
export const DOCUMENT_LANGUAGES: readonly string[] = ['spa', 'eng'];

/**
 * Options of `ocrbench dataset generate` and `generateDataset()`. The dataset holds
 * `count` distinct documents, each written once per format and size class, so it has
 * `count x formats x sizes` files.
 */
export interface GenerateOptions {
  /**
   * Folder for the files and manifest.json (created if missing).
   * @default "datasets/generated"
   */
  out: string;
  /**
   * `receipts`: short Spanish payment receipts; `pages`: full A4 text pages; `mixed`:
   * receipts and pages alternating.
   * @default "receipts"
   */
  kind: DocumentKind;
  /**
   * Languages of the pages, used in turn (`spa`, `eng`). Receipts are always Spanish.
   * @default ["spa","eng"]
   */
  languages: string[];
  /**
   * Formats to write each document in: png, jpeg, tiff, pdf.
   * @default ["png"]
   */
  formats: DocumentFormat[];
  /**
   * Resolution of the rendered images, dots per inch (also written into PNG/JPEG/TIFF).
   * @default 150
   */
  dpi: number;
  /**
   * Number of distinct documents.
   * @default 6
   */
  count: number;
  /**
   * Seed of the PRNG behind every generated word, number and padding byte.
   * @default 1
   */
  seed: number;
  /**
   * Size classes: exact byte targets such as `50KB`, `500KB`, `5MB`, `20MB` (KB = 1000 bytes,
   * MB = 1,000,000; `KiB`/`MiB` are 1024-based), or `natural` for no padding.
   * @default ["natural"]
   */
  sizes: string[];
  /**
   * Pages in each PDF (each page a different text). Images always hold one page.
   * @default 1
   */
  pdfPages: number;
  /**
   * Text size, points (1/72 inch); 12 pt is 25 px at 150 dpi.
   * @default 12
   */
  fontSizePt: number;
  /**
   * JPEG quality, 1-100 (lowered in steps when a size class is smaller than the image).
   * @default 85
   */
  jpegQuality: number;
}

/** The one source of defaults: the CLI's --help and docs/datasets.md read it. */
export const GENERATE_DEFAULTS: GenerateOptions = {
  out: 'datasets/generated',
  kind: 'receipts',
  languages: ['spa', 'eng'],
  formats: ['png'],
  dpi: 150,
  count: 6,
  seed: 1,
  sizes: ['natural'],
  pdfPages: 1,
  fontSizePt: 12,
  jpegQuality: 85,
};
