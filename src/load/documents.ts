import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DatasetFile, DatasetManifest } from '../dataset/manifest.ts';
import type { Scenario } from '../scenario/schema.ts';
import { OcrbenchError } from '../util/errors.ts';

/** A dataset file with its bytes, read once and shared by every upload of it. */
export interface LoadedDocument {
  entry: DatasetFile;
  bytes: Buffer;
  contentType: string;
}

const CONTENT_TYPES: Record<string, string> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  tiff: 'image/tiff',
  pdf: 'application/pdf',
};

/** Picks documents by the scenario's weighted mix. */
export interface DocumentPicker {
  pick(): LoadedDocument;
  documents: LoadedDocument[];
}

/**
 * Reads every file the mix can pick (once) and returns a seeded weighted picker.
 * Each mix entry selects the files matching all its filters; the entry is chosen by weight,
 * then a file uniformly within it.
 */
export async function loadDocuments(
  manifest: DatasetManifest,
  folder: string,
  mix: Scenario['mix'],
  random: () => number,
  scenarioFile: string,
): Promise<DocumentPicker> {
  const entries = mix ?? [{ weight: 1 }];
  const groups = entries.map((entry, index) => {
    const files = manifest.files.filter(
      (file) =>
        (entry.sizeClass === undefined || file.sizeClass === entry.sizeClass) &&
        (entry.format === undefined || file.format === entry.format) &&
        (entry.file === undefined || file.file === entry.file),
    );
    if (files.length === 0) {
      const classes = [...new Set(manifest.files.map((file) => file.sizeClass))].join(', ');
      const formats = [...new Set(manifest.files.map((file) => file.format))].join(', ');
      throw new OcrbenchError(
        'E_SCENARIO_FIELD',
        `${scenarioFile}: mix[${index}]: no dataset file matches ${JSON.stringify(entry)}. ` +
          `Fix: the dataset has size classes ${classes} and formats ${formats}.`,
      );
    }
    return { weight: entry.weight, files };
  });

  const cache = new Map<string, LoadedDocument>();
  for (const group of groups) {
    for (const file of group.files) {
      if (cache.has(file.file)) continue;
      const path = join(folder, file.file);
      let bytes: Buffer;
      try {
        bytes = await readFile(path);
      } catch {
        throw new OcrbenchError(
          'E_DATASET',
          `${path}: listed in the manifest but missing. Regenerate or re-import the dataset.`,
        );
      }
      const contentType = CONTENT_TYPES[file.format] ?? 'application/octet-stream';
      cache.set(file.file, { entry: file, bytes, contentType });
    }
  }

  const totalWeight = groups.reduce((sum, group) => sum + group.weight, 0);
  return {
    documents: [...cache.values()],
    pick() {
      let roll = random() * totalWeight;
      const group = groups.find((candidate) => (roll -= candidate.weight) < 0) ?? groups[0];
      const file = group.files[Math.floor(random() * group.files.length)];
      return cache.get(file.file)!;
    },
  };
}
