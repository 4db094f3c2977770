import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeOcrServer, type FakeOcrServer } from './servers/fake-ocr-server.ts';
import { tinyDataset, writeScenario } from './helpers/tiny-dataset.ts';
import { parseScenarioText } from '../src/scenario/load-scenario.ts';
import { applyOverrides } from '../src/run/overrides.ts';
import type { RunFile } from '../src/record/run-file.ts';

// `ocrbench run --duration-seconds S --jobs N` shortens a scenario; run.json says so.

let server: FakeOcrServer;
let folder = '';
beforeAll(async () => {
  server = await startFakeOcrServer({ processingMs: 5, workers: 4 });
  folder = await tinyDataset();
});
afterAll(async () => {
  await server?.close();
});

function scenarioText(load: string): string {
  return `name: overrides
target: { url: "${server.url}", profile: ocrlotes }
dataset: { path: . }
load: ${load}
poll: { intervalMs: 10, maxIntervalMs: 50, maxWaitSeconds: 60 }
observe: { intervalMs: 200, host: false }
trials: 3
`;
}

function runCli(args: string[]): Promise<{ status: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['bin/ocrbench.js', ...args]);
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((done) => child.on('close', (status) => done({ status, stderr })));
}

async function run(load: string, flags: string[]): Promise<RunFile> {
  const file = writeScenario(folder, scenarioText(load), `s-${Math.random()}.yaml`);
  const out = mkdtempSync(join(tmpdir(), 'ocrbench-overrides-'));
  const result = await runCli(['run', file, '--out', out, '--run-id', 'r', '--quiet', ...flags]);
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return JSON.parse(readFileSync(join(out, 'r', 'run.json'), 'utf8')) as RunFile;
}

describe('ocrbench run: load length from the command line', () => {
  it('--duration-seconds stops starting jobs after S seconds of an open load', async () => {
    // 10 jobs/s evenly spaced from t = 0: arrivals at 0, 100, ... 900 ms fall within 1 s.
    const result = await run('{ model: open, rate: 10, durationSeconds: 60 }', [
      '--duration-seconds',
      '1',
      '--trials',
      '1',
    ]);
    expect(result.trials).toHaveLength(1);
    expect(result.summary.jobs.submitted).toBe(10);
    expect(result.summary.jobs.completed).toBe(10);
    expect(result.caveats.find((c) => c.code === 'load-overridden')?.message).toBe(
      'The load was shortened on the command line: --duration-seconds 1 ' +
        '(load.durationSeconds: 60), --trials 1 (trials: 3). These numbers describe that ' +
        'run, not the scenario file as written; compare them only with runs given the ' +
        'same flags.',
    );
  });

  it('--jobs stops after N measured jobs of a closed load', async () => {
    const result = await run('{ model: closed, concurrency: 2, jobs: 50 }', [
      '--jobs',
      '4',
      '--trials',
      '2',
    ]);
    expect(result.trials.map((trial) => trial.jobs.submitted)).toEqual([4, 4]);
    expect(result.summary.jobs.completed).toBe(8);
    expect(result.summary.caveats.map((c) => c.code)).toContain('load-overridden');
  });

  it('no load-length flag, no caveat (--trials alone keeps each trial as written)', async () => {
    const result = await run('{ model: closed, concurrency: 2, jobs: 3 }', ['--trials', '1']);
    expect(result.summary.jobs.submitted).toBe(3);
    expect(result.caveats.map((c) => c.code)).not.toContain('load-overridden');
  });

  it.each([
    ['--duration-seconds', 'abc', 'not a number; expected a number > 0'],
    ['--duration-seconds', '0', 'out of range; expected a number > 0'],
    ['--duration-seconds', '-5', 'out of range; expected a number > 0'],
    ['--jobs', '0', 'out of range; expected a whole number >= 1'],
    ['--jobs', '2.5', 'not a whole number; expected a whole number >= 1'],
  ])('%s %s exits 2 naming the flag', async (flag, value, problem) => {
    const result = await runCli(['run', 'scenarios/smoke.yaml', `${flag}=${value}`]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`ocrbench: E_USAGE: ${flag} ${value}: ${problem}`);
  });
});

describe('applyOverrides', () => {
  const scenario = parseScenarioText(
    'name: t\ndataset: { path: d }\nload: { model: closed, concurrency: 2, jobs: 3 }\n',
    't.yaml',
  );

  it('sets the load limits on a copy, not on the scenario given', () => {
    const { scenario: changed } = applyOverrides(scenario, { durationSeconds: 5, jobs: 10 });
    expect(changed.load.durationSeconds).toBe(5);
    expect(changed.load.jobs).toBe(10);
    expect(scenario.load.durationSeconds).toBeUndefined();
    expect(scenario.load.jobs).toBe(3);
  });

  it('says "changed", not "shortened", when a limit was raised', () => {
    const { caveats } = applyOverrides(scenario, { jobs: 10 });
    expect(caveats.map((c) => c.message)).toEqual([
      'The load was changed on the command line: --jobs 10 (load.jobs: 3). These numbers ' +
        'describe that run, not the scenario file as written; compare them only with runs ' +
        'given the same flags.',
    ]);
    expect(applyOverrides(scenario, { durationSeconds: 9 }).caveats[0].message).toContain(
      'shortened on the command line: --duration-seconds 9 (load.durationSeconds: unset)',
    );
    expect(applyOverrides(scenario, { trials: 4 }).caveats).toEqual([]);
  });
});
