import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeRun } from './helpers/make-run.ts';

describe('ocrbench baseline and compare (CLI)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ocrbench-baseline-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const bin = resolve('bin/ocrbench.js');
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, [bin, ...args], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, OCRBENCH_BASELINES_DIR: '' },
    });
  for (const [name, factor] of [
    ['before', 1],
    ['after', 0.7],
  ] as const) {
    mkdirSync(join(dir, 'reports', name), { recursive: true });
    const run = makeRun({
      id: name,
      seed: name.length,
      trials: 5,
      jobsPerTrial: 80,
      latencyFactor: factor,
    });
    writeFileSync(join(dir, 'reports', name, 'run.json'), JSON.stringify(run));
    writeFileSync(join(dir, 'reports', name, 'jobs.ndjson'), '{"trial":0}\n');
  }

  it('saves a run under baselines/<name>/ and lists it', () => {
    const saved = cli('baseline', 'save', 'reports/before', '--name', 'main');
    expect(saved.status).toBe(0);
    expect(existsSync(join(dir, 'baselines/main/run.json'))).toBe(true);
    expect(readFileSync(join(dir, 'baselines/main/jobs.ndjson'), 'utf8')).toBe('{"trial":0}\n');
    expect(cli('baseline', 'save', 'reports/before', '--name', 'main').status).toBe(2);
    const list = cli('baseline', 'list', '--json');
    expect(
      JSON.parse(list.stdout).map((b: { name: string; runId: string }) => [b.name, b.runId]),
    ).toEqual([['main', 'before']]);
  });

  it('compares a saved baseline by name and writes the three reports', () => {
    const result = cli('compare', 'main', 'reports/after', '--out', 'cmp', '--resamples', '500');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/end-to-end p95 \*\s+\S+ ms\s+\S+ ms\s+x0\.\d+/);
    const comparison = JSON.parse(readFileSync(join(dir, 'cmp/comparison.json'), 'utf8'));
    expect(comparison.baseline.source).toBe('baseline:main');
    expect(comparison.conclusion.verdict).toBe('improved');
    expect(readFileSync(join(dir, 'cmp/validation.md'), 'utf8')).toMatch(/^# Phase 3 validation/);
    expect(readFileSync(join(dir, 'cmp/validation.html'), 'utf8')).toMatch(/<svg /);
  });

  it('rejects a bad baseline name with exit code 2', () => {
    const result = cli('baseline', 'save', 'reports/before', '--name', '../evil');
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/E_USAGE: --name "..\/evil"/);
  });
});
