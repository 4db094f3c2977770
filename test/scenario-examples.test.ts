import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadScenario } from '../src/scenario/load-scenario.ts';
import { spawnTarget } from '../src/target/spawn.ts';
import type { JobCounts, RunFile } from '../src/record/run-file.ts';

// Issue 3: "Every example under scenarios/ is valid and runs." Each example runs through the
// real CLI on the real built-in target, shortened from the command line: 1 trial of a few
// measured jobs. The list is read from the folder, so a new example is tested by itself.
const EXAMPLES = readdirSync('scenarios')
  .filter((file) => /\.ya?ml$/.test(file))
  .sort();

/** Measured jobs per example run (warm-up jobs run first, on top). */
const JOBS = 3;
/**
 * Cap on starting jobs, s: far above the few seconds the arrivals of JOBS jobs take (the
 * slowest, open-rate.yaml, ramps from 0 jobs/s), so the job limit is what ends each run.
 */
const DURATION_SECONDS = 60;

// The examples are copied into a temp folder so the datasets their `../datasets/<name>`
// paths generate land beside them (about 100 MB for size-mix), not in the repository.
let root = '';
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'ocrbench-examples-'));
  mkdirSync(join(root, 'scenarios'));
  for (const file of EXAMPLES) {
    copyFileSync(join('scenarios', file), join(root, 'scenarios', file));
  }
});
afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The CLI as a user runs it; asynchronous, so a target this process started keeps serving. */
function runCli(args: string[]): Promise<CliResult> {
  const child = spawn(process.execPath, ['bin/ocrbench.js', ...args]);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((done) => child.on('close', (status) => done({ status, stdout, stderr })));
}

function fatesTotal(jobs: JobCounts): number {
  return jobs.completed + jobs.failed + jobs.timedOut + jobs.lost + jobs.inFlight;
}

describe('every example under scenarios/ runs', () => {
  it('finds the examples', () => {
    expect(EXAMPLES).toContain('smoke.yaml');
  });

  it.each(EXAMPLES)('%s: 1 trial of a few jobs, every job accounted for', async (file) => {
    const copy = join(root, 'scenarios', file);
    const { scenario, baseDir } = await loadScenario(copy);
    // A fresh checkout has no datasets (datasets/ is ignored by git): an example that
    // cannot make its own would not run there.
    const datasetDir = resolve(baseDir, scenario.dataset.path);
    expect(
      scenario.dataset.generate !== undefined || existsSync(datasetDir),
      `${file}: dataset ${scenario.dataset.path} neither exists nor is generated`,
    ).toBe(true);

    // An example aimed at an external service (e.g. ocrlotes-service.yaml, port 5000) gets
    // the built-in target on a free loopback port instead, as its comment suggests.
    const external =
      scenario.target.url === 'builtin' ? null : await spawnTarget({ port: 0, host: '127.0.0.1' });
    const out = join(root, 'reports');
    const runId = file.replace(/\.ya?ml$/, '');
    let result: CliResult;
    try {
      result = await runCli([
        'run',
        copy,
        '--trials',
        '1',
        '--jobs',
        String(JOBS),
        '--duration-seconds',
        String(DURATION_SECONDS),
        ...(external ? ['--target-url', external.url] : []),
        '--out',
        out,
        '--run-id',
        runId,
        '--quiet',
      ]);
    } finally {
      await external?.close();
    }
    expect(result.status, `${file}: exit code; stderr:\n${result.stderr}`).toBe(0);

    const run = JSON.parse(readFileSync(join(out, runId, 'run.json'), 'utf8')) as RunFile;
    expect(run.complete).toBe(true);
    expect(run.trials).toHaveLength(1);
    if (external) expect(run.target.url).toBe(external.url);
    const jobs = run.summary.jobs;
    expect(jobs.submitted).toBe(JOBS);
    expect(fatesTotal(jobs)).toBe(jobs.submitted);
    expect(fatesTotal(run.trials[0].jobs)).toBe(run.trials[0].jobs.submitted);
    expect(jobs.completed).toBeGreaterThan(0);
    expect(jobs.inFlight).toBe(0);
    // The shortened run says so in run.json, naming the flags and the scenario's values.
    const overridden = run.caveats.find((caveat) => caveat.code === 'load-overridden');
    expect(overridden?.message).toContain(`--jobs ${JOBS} (load.jobs: `);
    expect(overridden?.message).toContain(`--duration-seconds ${DURATION_SECONDS}`);
    expect(run.summary.caveats.map((caveat) => caveat.code)).toContain('load-overridden');
  });
});
