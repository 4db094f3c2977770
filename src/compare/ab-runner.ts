import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadedRun } from './compare-runs.ts';
import { readRunFile } from './load-run.ts';
import { mergeJobLogs, mergeRuns } from './merge-runs.ts';
import type { RunFile } from '../record/run-file.ts';
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic-write.ts';
import { OcrbenchError } from '../util/errors.ts';
import { EXIT } from '../cli/exit-codes.ts';

/** bin/ocrbench.js of this checkout, so `ab` runs the same version as itself. */
const BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../../bin/ocrbench.js');

export interface Side {
  scenario: string;
  fault?: string;
}

/**
 * Steps: 1. for each round, run one baseline trial then one candidate trial, each as its
 * own `ocrbench run --trials 1` process in <out>/trials/; 2. merge each side's single-trial
 * runs into <out>/baseline and <out>/candidate (run.json + jobs.ndjson).
 */
export async function runAlternating(options: {
  outDir: string;
  trials: number;
  baseline: Side;
  candidate: Side;
}): Promise<{ baseline: LoadedRun; candidate: LoadedRun }> {
  const trialsDir = join(options.outDir, 'trials');
  const runs: Record<'baseline' | 'candidate', RunFile[]> = { baseline: [], candidate: [] };
  const logs: Record<'baseline' | 'candidate', string[]> = { baseline: [], candidate: [] };
  for (let round = 1; round <= options.trials; round++) {
    for (const name of ['baseline', 'candidate'] as const) {
      const side = options[name];
      const runId = `${name}-${round}`;
      process.stderr.write(`ab: round ${round}/${options.trials}, ${name} (${side.scenario})\n`);
      const args = [BIN, 'run', side.scenario, '--trials', '1', '--out', trialsDir];
      args.push('--run-id', runId, '--quiet');
      if (side.fault) args.push('--fault', side.fault);
      const code = await runChild(args);
      if (code !== EXIT.ok && code !== EXIT.incomplete) {
        throw new OcrbenchError(
          code === EXIT.target ? 'E_TARGET_UNREACHABLE' : 'E_USAGE',
          `ab: \`ocrbench run ${side.scenario}\` (${runId}) ended with exit code ${code}; ` +
            'its message is above. Fix it and start ab again.',
          { exitCode: code === EXIT.target ? EXIT.target : EXIT.usage },
        );
      }
      const runDir = join(trialsDir, runId);
      const run = await readRunFile(join(runDir, 'run.json'));
      runs[name].push(run);
      logs[name].push(
        await readFile(join(runDir, run.jobsLog || 'jobs.ndjson'), 'utf8').catch(() => ''),
      );
    }
  }
  const result = {} as { baseline: LoadedRun; candidate: LoadedRun };
  for (const name of ['baseline', 'candidate'] as const) {
    const dir = join(options.outDir, name);
    const merged = mergeRuns(runs[name], `${name}-ab`);
    await writeJsonAtomic(join(dir, 'run.json'), merged);
    const perRun = runs[name].map((run) => run.trials.length);
    await writeFileAtomic(join(dir, 'jobs.ndjson'), mergeJobLogs(logs[name], perRun));
    result[name] = { run: merged, source: dir, dir };
  }
  return result;
}

function runChild(args: string[]): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    // stdout is the child's table: not ours to print; stderr carries its errors.
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolvePromise(code ?? (signal ? 130 : 1)));
  });
}
