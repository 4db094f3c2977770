import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { OcrbenchError } from '../util/errors.ts';
import { plural } from '../util/plural.ts';
import { MANIFEST_NAME, type DatasetFile, type DatasetManifest } from './manifest.ts';
import { optionLabel } from './options.ts';
import type { GenerateOptions } from './defaults.ts';

/**
 * A dataset file that is not what its manifest says: missing, or other bytes than those the
 * ground truth was written for. A run on it would upload one thing and score it against the
 * truth of another (and jobs.ndjson would report the manifest's size, not the upload's).
 */

/** A mix entry's filters; every one that is set must match. */
export interface MixFilter {
  sizeClass?: string;
  format?: string;
  file?: string;
}

export function matchesMix(entry: MixFilter, file: DatasetFile): boolean {
  return (
    (entry.sizeClass === undefined || file.sizeClass === entry.sizeClass) &&
    (entry.format === undefined || file.format === entry.format) &&
    (entry.file === undefined || file.file === entry.file)
  );
}

/** The files a run can upload: those matching any mix entry (every file without a mix). */
export function selectedFiles(files: DatasetFile[], mix: MixFilter[] | undefined): DatasetFile[] {
  if (mix === undefined) return files;
  return files.filter((file) => mix.some((entry) => matchesMix(entry, file)));
}

/** What a file on disk is: null when missing; sha256 only when its bytes were read. */
export interface FileFacts {
  bytes: number;
  sha256?: string;
}

/**
 * "receipt-1.png: 8 bytes, the manifest says 29,812 (sha256 ab12..., the manifest says
 * cd34...)", or null when the facts agree with the entry.
 */
export function describeMismatch(entry: DatasetFile, actual: FileFacts | null): string | null {
  const expected = `${bytesText(entry.bytes)}, sha256 ${short(entry.sha256)}`;
  if (actual === null) return `${entry.file}: missing (the manifest says ${expected})`;
  const sizeDiffers = actual.bytes !== entry.bytes;
  const hashDiffers = actual.sha256 !== undefined && actual.sha256 !== entry.sha256;
  if (!sizeDiffers && !hashDiffers) return null;
  const hash = actual.sha256 === undefined ? '' : `, sha256 ${short(actual.sha256)}`;
  return `${entry.file}: ${bytesText(actual.bytes)}${hash}; the manifest says ${expected}`;
}

/** Size and hash of loaded bytes. */
export function factsOf(bytes: Buffer): FileFacts {
  return { bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** Size of a file on disk, or null when it is missing or not a regular file. */
export async function statFacts(folder: string, entry: DatasetFile): Promise<FileFacts | null> {
  try {
    const info = await stat(join(folder, entry.file));
    return info.isFile() ? { bytes: info.size } : null;
  } catch {
    return null;
  }
}

/** How to get a dataset whose files match their manifest again. */
export function datasetFix(folder: string, manifest: Pick<DatasetManifest, 'generator'>): string {
  if (manifest.generator) {
    return (
      `regenerate the dataset (the same options give the same bytes): ` +
      `\`${generateCommand(folder, manifest.generator)}\`; or, if the files changed on ` +
      `purpose, re-import it: \`ocrbench dataset import ${folder} --force\``
    );
  }
  return (
    `restore the files, or re-import the dataset so the manifest describes them: ` +
    `\`ocrbench dataset import ${folder}\` (ground truth comes from the .txt sidecars)`
  );
}

/**
 * One error for every problem found: the run refuses a dataset that is not what its
 * manifest says (exit 2). `problems` come from describeMismatch.
 */
export function datasetMismatchError(
  folder: string,
  manifest: Pick<DatasetManifest, 'generator'>,
  problems: string[],
): OcrbenchError {
  const shown = problems.slice(0, MAX_LISTED);
  const more = problems.length - shown.length;
  return new OcrbenchError(
    'E_DATASET',
    `${join(folder, MANIFEST_NAME)}: ${plural(problems.length, 'file')} of the dataset ` +
      `${problems.length === 1 ? 'does' : 'do'} not match the manifest (size and sha256 ` +
      'checked as the run loads them):\n' +
      shown.map((line) => `  ${line}\n`).join('') +
      (more > 0 ? `  ... and ${more} more\n` : '') +
      `Fix: ${datasetFix(folder, manifest)}.`,
  );
}

/** Problems listed in one error at most; the rest are counted. */
const MAX_LISTED = 10;

/** The files the run would upload that are missing; throws when any is. */
export async function assertFilesPresent(
  folder: string,
  manifest: DatasetManifest,
  mix: MixFilter[] | undefined,
): Promise<void> {
  const problems: string[] = [];
  for (const entry of selectedFiles(manifest.files, mix)) {
    if ((await statFacts(folder, entry)) === null) problems.push(describeMismatch(entry, null)!);
  }
  if (problems.length > 0) throw datasetMismatchError(folder, manifest, problems);
}

/** Checks loaded bytes (read once by the run) against their manifest entries. */
export function assertLoadedMatch(
  folder: string,
  manifest: DatasetManifest,
  documents: Array<{ entry: DatasetFile; bytes: Buffer }>,
): void {
  const problems = documents
    .map((document) => describeMismatch(document.entry, factsOf(document.bytes)))
    .filter((problem): problem is string => problem !== null);
  if (problems.length > 0) throw datasetMismatchError(folder, manifest, problems);
}

function generateCommand(folder: string, generator: Record<string, unknown>): string {
  const flags = Object.entries(generator)
    .filter(([, value]) => value !== undefined && value !== null)
    .map(([key, value]) => {
      const text = Array.isArray(value) ? value.join(',') : String(value);
      return `${optionLabel(key as keyof GenerateOptions, 'flags')} ${text}`;
    });
  return ['ocrbench dataset generate --out', folder, ...flags].join(' ');
}

/** "29,812 bytes". */
function bytesText(bytes: number): string {
  return plural(bytes, 'byte', 'bytes', bytes.toLocaleString('en-US'));
}

/** The first 12 hex digits: enough to tell two files apart in a message. */
function short(sha256: string): string {
  return sha256.length > 12 ? `${sha256.slice(0, 12)}...` : sha256;
}
