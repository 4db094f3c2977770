import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { RunFile } from '../record/run-file.ts';
import { OcrbenchError } from '../util/errors.ts';
import { baselinesDir, isBaselineName } from './baselines.ts';
import type { LoadedRun } from './compare-runs.ts';

/**
 * Finds and reads a run named on the command line: a run folder, a run.json path, or the
 * name of a saved baseline (`main` or `baseline:main`), looked up in that order.
 */
export async function loadRun(spec: string, cwd = process.cwd()): Promise<LoadedRun> {
  const explicitBaseline = spec.startsWith('baseline:') ? spec.slice('baseline:'.length) : null;
  const candidates: Array<{ file: string; source: string }> = [];
  if (explicitBaseline === null) {
    const path = resolve(cwd, spec);
    if (await isFile(path)) candidates.push({ file: path, source: spec });
    else candidates.push({ file: join(path, 'run.json'), source: spec });
  }
  const name = explicitBaseline ?? spec;
  if (isBaselineName(name)) {
    candidates.push({
      file: join(baselinesDir(cwd), name, 'run.json'),
      source: `baseline:${name}`,
    });
  }
  for (const { file, source } of candidates) {
    if (!(await isFile(file))) continue;
    return { run: await readRunFile(file), source, dir: dirname(file) };
  }
  throw new OcrbenchError(
    'E_RUN_FILE',
    `${spec}: no run found. Name a run folder (reports/<run-id>), its run.json, or a saved ` +
      `baseline in ${baselinesDir(cwd)} (\`ocrbench baseline list\` shows them).`,
  );
}

/** Reads run.json and checks the fields a comparison relies on. */
export async function readRunFile(file: string): Promise<RunFile> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new OcrbenchError(
      'E_RUN_FILE',
      `${file}: cannot read it as JSON (${(error as Error).message}). ` +
        'Was the run interrupted while writing? Re-run it.',
    );
  }
  const problem = checkShape(value);
  if (problem) {
    throw new OcrbenchError(
      'E_RUN_FILE',
      `${file}: ${problem}. This is not a run.json of ocrbench schema version 1; ` +
        `re-run with this version of ocrbench (${basename(file)} from another tool?).`,
    );
  }
  return value as RunFile;
}

function checkShape(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return 'the file is not a JSON object';
  const run = value as Record<string, unknown>;
  if (run.schemaVersion !== 1)
    return `schemaVersion is ${JSON.stringify(run.schemaVersion)}, not 1`;
  if (!Array.isArray(run.trials)) return 'field `trials` is missing or not a list';
  for (const [index, trial] of (run.trials as unknown[]).entries()) {
    const t = trial as Record<string, unknown> | null;
    for (const field of ['jobs', 'throughput', 'stages']) {
      if (typeof t?.[field] !== 'object' || t[field] === null) {
        return `field \`trials[${index}].${field}\` is missing`;
      }
    }
  }
  for (const field of ['summary', 'scenario', 'target', 'host']) {
    if (typeof run[field] !== 'object' || run[field] === null) {
      return `field \`${field}\` is missing`;
    }
  }
  if (typeof run.complete !== 'boolean') return 'field `complete` is missing';
  return null;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
