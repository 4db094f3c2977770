import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OcrbenchError } from '../util/errors.ts';

/** Document formats ocrbench can generate and upload. */
export type DocumentFormat = 'png' | 'jpeg' | 'tiff' | 'pdf';

/** One document of a dataset, as listed in `manifest.json`. */
export interface DatasetFile {
  /** Path relative to the manifest's folder. */
  file: string;
  format: DocumentFormat;
  bytes: number;
  /** Name of the size class, e.g. `50KB`, `500KB`, `5MB`, `20MB`, or `natural`. */
  sizeClass: string;
  widthPx: number;
  heightPx: number;
  pages: number;
  sha256: string;
  /** Tesseract language codes of the text, e.g. `spa` or `eng`. */
  language: string;
  /** `receipt`, `page`, or `imported`. */
  kind: string;
  /** The exact text rendered on the document, or null when unknown (imported files). */
  groundTruth: string | null;
  /**
   * Generated files: how the document was encoded to fit its size class, e.g. `8-bit grey`,
   * `two colours`, `quality 40, first 9 of 35 lines` (a partial page).
   */
  rendering?: string;
  /**
   * Imported files reached through a symbolic link (the link itself, or a linked folder
   * above it): the real file, relative to the folder (`/`-separated) when inside it, absolute
   * when outside (`outside: true`). Absent for plain files.
   */
  link?: { target: string; outside: boolean };
  /**
   * Imported files whose sidecar `.txt` was not UTF-8: how it was decoded (`windows-1252`,
   * `utf-16le`, `utf-16be`); the import warned about it. Absent for UTF-8 sidecars.
   */
  groundTruthEncoding?: string;
}

export interface DatasetManifest {
  version: 1;
  createdAt: string;
  /** The options that generated the dataset (for `generate`), so it can be re-made. */
  generator: Record<string, unknown> | null;
  files: DatasetFile[];
}

export const MANIFEST_NAME = 'manifest.json';

/** Reads `<folder>/manifest.json` and checks the fields a run relies on. */
export async function readManifest(folder: string): Promise<DatasetManifest> {
  const path = join(folder, MANIFEST_NAME);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new OcrbenchError(
      'E_DATASET',
      `${path}: no dataset manifest. Create one with ` +
        `\`ocrbench dataset generate --out ${folder}\` or \`ocrbench dataset import ${folder}\`.`,
    );
  }
  let manifest: DatasetManifest;
  try {
    manifest = JSON.parse(text) as DatasetManifest;
  } catch (error) {
    throw new OcrbenchError('E_DATASET', `${path}: not valid JSON (${String(error)}).`);
  }
  if (manifest.version !== 1 || !Array.isArray(manifest.files)) {
    throw new OcrbenchError(
      'E_DATASET',
      `${path}: expected {"version": 1, "files": [...]}; regenerate the dataset.`,
    );
  }
  if (manifest.files.length === 0) {
    throw new OcrbenchError('E_DATASET', `${path}: the dataset lists no files.`);
  }
  return manifest;
}
