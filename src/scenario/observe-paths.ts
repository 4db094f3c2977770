import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Scenario } from './schema.ts';
import type { LoadedScenario } from './load-scenario.ts';

/**
 * The scenario with `observe.folders` and `observe.resultsFolder` resolved against the
 * scenario file's folder, like every relative path in a scenario (docs/scenario.md).
 */
export function resolveObservePaths(scenario: Scenario, baseDir: string): Scenario {
  const { folders, resultsFolder } = scenario.observe;
  return {
    ...scenario,
    observe: {
      ...scenario.observe,
      folders: folders.map((folder) => resolve(baseDir, folder)),
      resultsFolder: resultsFolder === null ? null : resolve(baseDir, resultsFolder),
    },
  };
}

/** A watched folder and where the scenario names it, for messages. */
export interface ObservedFolder {
  path: string;
  field: Array<string | number>;
}

/** Every folder the scenario asks to watch, resolved, with its field path. */
export function observedFolders(scenario: Scenario, baseDir: string): ObservedFolder[] {
  const resolved = resolveObservePaths(scenario, baseDir).observe;
  const folders: ObservedFolder[] = resolved.folders.map((path, index) => ({
    path,
    field: ['observe', 'folders', index],
  }));
  if (resolved.resultsFolder !== null) {
    folders.push({ path: resolved.resultsFolder, field: ['observe', 'resultsFolder'] });
  }
  return folders;
}

/** The folders of `folders` that do not exist now. */
export function missingFolders(folders: ObservedFolder[]): ObservedFolder[] {
  return folders.filter((folder) => !existsSync(folder.path));
}

/**
 * `scenario check` warnings (not errors) for watched folders that do not exist now: the
 * service may create them once load arrives. A run whose folder never appears gets the
 * `observe-folder-missing` caveat instead.
 */
export function folderWarnings(loaded: LoadedScenario): string[] {
  return missingFolders(observedFolders(loaded.scenario, loaded.baseDir)).map(
    (folder) =>
      `${loaded.locate(folder.field)}: warning: ${folder.path} does not exist (yet). Not an ` +
      'error: the service may create it under load; a run during which it never exists ' +
      'gets the observe-folder-missing caveat. Check the path.',
  );
}
