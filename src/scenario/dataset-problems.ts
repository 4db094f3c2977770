import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { closest } from 'fastest-levenshtein';
import { OcrbenchError } from '../util/errors.ts';
import { resolveGenerateOptions } from '../dataset/options.ts';
import { MANIFEST_NAME, readManifest, type DatasetManifest } from '../dataset/manifest.ts';
import {
  datasetFix,
  describeMismatch,
  matchesMix,
  selectedFiles,
  statFacts,
} from '../dataset/verify.ts';
import { plural } from '../util/plural.ts';
import type { LoadedScenario } from './load-scenario.ts';

/**
 * Checks the scenario against its dataset on disk: the folder and its manifest exist (or
 * `dataset.generate` will make them), every mix entry names size classes, formats and
 * files the dataset has, and the files the run would upload are there with the manifest's
 * size (the run also compares sha256 as it loads them). Returns one "file:line: field:
 * problem. Fix: ..." line per problem. The run passes `files: false`: it checks size and
 * sha256 itself as it loads the files (src/dataset/verify.ts).
 */
export async function datasetProblems(
  loaded: LoadedScenario,
  options: { files?: boolean } = {},
): Promise<string[]> {
  const { scenario, locate } = loaded;
  const folder = resolve(loaded.baseDir, scenario.dataset.path);
  const manifestPath = join(folder, MANIFEST_NAME);
  let manifest: DatasetManifest;
  let source: string;
  if (existsSync(manifestPath)) {
    try {
      manifest = await readManifest(folder);
    } catch (error) {
      if (!(error instanceof OcrbenchError)) throw error;
      return [`${locate(['dataset', 'path'])}: ${error.message}`];
    }
    source = manifestPath;
  } else if (scenario.dataset.generate) {
    // Generated on the first run: its size classes and formats are those of the options.
    let options;
    try {
      options = resolveGenerateOptions({ ...scenario.dataset.generate, out: folder });
    } catch {
      return []; // reported with its line when the scenario loaded
    }
    const generated: Record<'sizeClass' | 'format', string[]> = {
      sizeClass: options.sizes,
      format: options.formats,
    };
    return mixProblems(loaded, (field, value) =>
      field === 'file' || generated[field].includes(value)
        ? null
        : `the dataset that dataset.generate makes has ${fieldPlural(field)} ` +
          `${generated[field].join(', ')}`,
    );
  } else {
    const exists = existsSync(folder);
    const problem = exists ? `has no ${MANIFEST_NAME}` : 'does not exist';
    const importIt = exists ? `, \`ocrbench dataset import ${folder}\`` : '';
    return [
      `${locate(['dataset', 'path'])}: ${folder} ${problem}. ` +
        `Fix: \`ocrbench dataset generate --out ${folder}\`${importIt}, or add ` +
        '`dataset.generate` so the first run makes it.',
    ];
  }
  const all = manifest.files;
  const known: Record<MixField, string[]> = {
    sizeClass: [...new Set(all.map((entry) => entry.sizeClass))],
    format: [...new Set(all.map((entry) => entry.format))],
    file: all.map((entry) => entry.file),
  };
  const problems = mixProblems(loaded, (field, value) => {
    if (known[field].includes(value)) return null;
    if (field === 'file') {
      const nearest = JSON.stringify(closest(value, known.file));
      return `${source} lists no such file; did you mean ${nearest}?`;
    }
    return `${source} has ${fieldPlural(field)} ${known[field].join(', ')}`;
  });
  if (problems.length > 0) return problems;
  // Each field exists; an entry may still match no file (a size class only in another format).
  (scenario.mix ?? []).forEach((entry, index) => {
    if (!all.some((file) => matchesMix(entry, file))) {
      problems.push(
        `${locate(['mix', index])}: no file of ${source} matches all of ` +
          `${JSON.stringify({ ...entry, weight: undefined })}. Fix: drop one of the filters.`,
      );
    }
  });
  if (problems.length > 0 || options.files === false) return problems;
  return fileProblems(loaded, folder, manifest);
}

/** Files listed in one problem at most; the rest are counted. */
const MAX_LISTED = 10;

/**
 * The files the mix can pick that are missing or not of the manifest's size. Sizes only:
 * hashing a dataset of 20 MB scans would make `scenario check` slow, and a file replaced
 * by one of another size is the common case; the run compares sha256 as well.
 */
async function fileProblems(
  loaded: LoadedScenario,
  folder: string,
  manifest: DatasetManifest,
): Promise<string[]> {
  const bad: string[] = [];
  for (const entry of selectedFiles(manifest.files, loaded.scenario.mix)) {
    const problem = describeMismatch(entry, await statFacts(folder, entry));
    if (problem !== null) bad.push(problem);
  }
  if (bad.length === 0) return [];
  const more = bad.length - MAX_LISTED;
  return [
    `${loaded.locate(['dataset', 'path'])}: ${plural(bad.length, 'file')} of ${folder} ` +
      `${bad.length === 1 ? 'does' : 'do'} not match ${MANIFEST_NAME} (sizes compared here; ` +
      'the run also compares sha256):\n' +
      bad
        .slice(0, MAX_LISTED)
        .map((line) => `  ${line}\n`)
        .join('') +
      (more > 0 ? `  ... and ${more} more\n` : '') +
      `Fix: ${datasetFix(folder, manifest)}.`,
  ];
}

type MixField = 'sizeClass' | 'format' | 'file';

function fieldPlural(field: 'sizeClass' | 'format'): string {
  return field === 'sizeClass' ? 'size classes' : 'formats';
}

/** One line per mix field whose value `why` rejects (returns what the dataset has instead). */
function mixProblems(
  loaded: LoadedScenario,
  why: (field: MixField, value: string) => string | null,
): string[] {
  const problems: string[] = [];
  (loaded.scenario.mix ?? []).forEach((entry, index) => {
    for (const field of ['sizeClass', 'format', 'file'] as const) {
      const value = entry[field];
      if (value === undefined) continue;
      const reason = why(field, value);
      if (reason === null) continue;
      const fix = field === 'file' ? 'correct the path' : 'use one of those';
      // A reason may end in its own mark ("did you mean "x"?"): no second one after it.
      const stop = /[.?!]$/.test(reason) ? '' : '.';
      problems.push(
        `${loaded.locate(['mix', index, field])}: ${JSON.stringify(value)} is not in the ` +
          `dataset: ${reason}${stop} Fix: ${fix}.`,
      );
    }
  });
  return problems;
}
