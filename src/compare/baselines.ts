import { copyFile, mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { writeJsonAtomic } from '../util/atomic-write.ts';
import { OcrbenchError } from '../util/errors.ts';
import { readRunFile } from './load-run.ts';

/**
 * Saved baselines live in `baselines/<name>/` under the current folder (the repository
 * root, in CI), so a team can commit them; OCRBENCH_BASELINES_DIR moves the folder.
 * Each holds run.json, jobs.ndjson (when the run had one) and baseline.json (metadata).
 */
export function baselinesDir(cwd = process.cwd()): string {
  return resolve(cwd, process.env.OCRBENCH_BASELINES_DIR || 'baselines');
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function isBaselineName(name: string): boolean {
  return NAME.test(name);
}

export interface BaselineInfo {
  name: string;
  runId: string;
  scenario: string;
  trials: number;
  runStartedAt: string;
  savedAt: string;
  from: string;
}

export async function saveBaseline(
  runDir: string,
  name: string,
  options: { force?: boolean; cwd?: string; now?: Date } = {},
): Promise<{ dir: string; info: BaselineInfo }> {
  if (!isBaselineName(name)) {
    throw new OcrbenchError(
      'E_USAGE',
      `--name ${JSON.stringify(name)}: a baseline name is 1-64 letters, digits, '.', '_' ` +
        "or '-', starting with a letter or digit (e.g. main or v1.4).",
    );
  }
  const cwd = options.cwd ?? process.cwd();
  const source = resolve(cwd, runDir);
  const runFile = source.endsWith('.json') ? source : join(source, 'run.json');
  const run = await readRunFile(runFile);
  const target = join(baselinesDir(cwd), name);
  if (!options.force && (await exists(join(target, 'run.json')))) {
    throw new OcrbenchError(
      'E_USAGE',
      `baseline ${name} already exists in ${target}; pass --force to replace it.`,
    );
  }
  await mkdir(target, { recursive: true });
  await copyFile(runFile, join(target, 'run.json'));
  const jobsLog = join(resolve(runFile, '..'), run.jobsLog || 'jobs.ndjson');
  if (await exists(jobsLog)) await copyFile(jobsLog, join(target, 'jobs.ndjson'));
  const info: BaselineInfo = {
    name,
    runId: run.id,
    scenario: run.scenario.name,
    trials: run.trials.length,
    runStartedAt: run.startedAt,
    savedAt: (options.now ?? new Date()).toISOString(),
    from: runDir,
  };
  await writeJsonAtomic(join(target, 'baseline.json'), info);
  return { dir: target, info };
}

export async function listBaselines(cwd = process.cwd()): Promise<BaselineInfo[]> {
  const dir = baselinesDir(cwd);
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch {
    return [];
  }
  const result: BaselineInfo[] = [];
  for (const name of names) {
    try {
      result.push(JSON.parse(await readFile(join(dir, name, 'baseline.json'), 'utf8')));
    } catch {
      // A folder without metadata (copied by hand): describe it from its run.json.
      if (!(await exists(join(dir, name, 'run.json')))) continue;
      const run = await readRunFile(join(dir, name, 'run.json'));
      result.push({
        name,
        runId: run.id,
        scenario: run.scenario.name,
        trials: run.trials.length,
        runStartedAt: run.startedAt,
        savedAt: '',
        from: '',
      });
    }
  }
  return result;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
