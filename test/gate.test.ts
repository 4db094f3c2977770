import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { evaluateGate } from '../src/compare/gate.ts';
import { GATE_DEFAULTS, resolveGate } from '../src/compare/gate-schema.ts';
import { parseGateText } from '../src/compare/load-gate.ts';
import { makeRun } from './helpers/make-run.ts';

const loaded = (run: ReturnType<typeof makeRun>) => ({ run, source: run.id, dir: '.' });
const quick = { resamples: 500 };

describe('gate file', () => {
  it('merges over the defaults and removes a check set to null', () => {
    const file = parseGateText(
      'relative:\n  endToEnd.p95Ms: { maxWorsePercent: 10 }\nabsolute:\n' +
        '  lostRate: null\n  endToEnd.p95Ms: 30000\n',
      'gate.yaml',
    );
    const gate = resolveGate(file);
    expect(gate.relative['endToEnd.p95Ms']).toEqual({ maxWorsePercent: 10, significant: true });
    expect(gate.relative['throughput.completedPerSecond'].maxWorsePercent).toBe(3);
    expect(gate.absolute).toEqual({ errorRate: 0.005, 'endToEnd.p95Ms': 30000 });
    expect(gate.alpha).toBe(GATE_DEFAULTS.alpha);
  });

  it('names the file, line and field of a bad value', () => {
    const text = 'alpha: 0.01\nrelative:\n  endToEnd.p95Ms:\n    maxWorsePercent: lots\n';
    expect(() => parseGateText(text, 'ci/gate.yaml')).toThrowError(
      /ci\/gate\.yaml:4: field `relative\.endToEnd\.p95Ms\.maxWorsePercent`/,
    );
  });

  it('lists the metric ids for an unknown one and carries E_GATE_FILE', () => {
    try {
      parseGateText('absolute:\n  p95: 100\n', 'g.yaml');
      expect.unreachable();
    } catch (error) {
      expect((error as { code: string }).code).toBe('E_GATE_FILE');
      expect((error as Error).message).toMatch(/g\.yaml:\d+: .*p95.*endToEnd\.p95Ms/s);
    }
  });
});

describe('evaluateGate', () => {
  const base = makeRun({ id: 'base', seed: 1, trials: 6, jobsPerTrial: 120 });

  it('passes an A/A comparison', () => {
    const again = makeRun({ id: 'again', seed: 2, trials: 6, jobsPerTrial: 120 });
    const result = evaluateGate(loaded(base), loaded(again), resolveGate(), quick);
    expect(result.exitCode).toBe(0);
    expect(result.checks.filter((c) => c.status === 'fail')).toEqual([]);
  });

  it('fails a 25% p95 regression on exactly the right checks', () => {
    const slow = makeRun({
      id: 'slow',
      seed: 3,
      trials: 6,
      jobsPerTrial: 120,
      latencyFactor: 1.25,
    });
    const result = evaluateGate(loaded(base), loaded(slow), resolveGate(), quick);
    expect(result.exitCode).toBe(1);
    const failed = result.checks.filter((c) => c.status === 'fail').map((c) => c.metricId);
    expect(failed.sort()).toEqual(['endToEnd.p95Ms', 'throughput.completedPerSecond']);
  });

  it('fails on lost jobs, error rate and an absolute p95 limit', () => {
    const bad = makeRun({
      id: 'bad',
      seed: 4,
      trials: 6,
      jobsPerTrial: 120,
      failedPerTrial: 3,
      lostPerTrial: 1,
    });
    const gate = resolveGate({ absolute: { 'endToEnd.p95Ms': 100 } });
    const result = evaluateGate(loaded(base), loaded(bad), gate, quick);
    const failed = result.checks.filter((c) => c.status === 'fail').map((c) => c.name);
    expect(failed.sort()).toEqual([
      'absolute endToEnd.p95Ms',
      'absolute errorRate',
      'absolute lostRate',
    ]);
    expect(result.exitCode).toBe(1);
  });

  it('returns 3 when a run is incomplete, even with a regression', () => {
    const cut = makeRun({
      id: 'cut',
      seed: 5,
      trials: 6,
      jobsPerTrial: 120,
      latencyFactor: 1.5,
      complete: false,
    });
    const result = evaluateGate(loaded(base), loaded(cut), resolveGate(), quick);
    expect(result.exitCode).toBe(3);
    expect(result.incompleteRuns).toEqual(['cut (interrupted)']);
  });

  it('reports, and by default passes, a regression too noisy to be significant', () => {
    const few = makeRun({ id: 'few', seed: 6, trials: 3, jobsPerTrial: 100 });
    const slow = makeRun({
      id: 'few-slow',
      seed: 7,
      trials: 3,
      jobsPerTrial: 100,
      latencyFactor: 1.3,
    });
    const result = evaluateGate(loaded(few), loaded(slow), resolveGate(), quick);
    const p95 = result.checks.find((c) => c.metricId === 'endToEnd.p95Ms')!;
    expect(p95.status).toBe('inconclusive');
    expect(result.exitCode).toBe(0);
    expect(result.caveats.join('\n')).toMatch(/can never fail/);
    const strict = evaluateGate(
      loaded(few),
      loaded(slow),
      resolveGate({ onInconclusive: 'fail' }),
      quick,
    );
    expect(strict.exitCode).toBe(1);
  });
});

describe('ocrbench gate (CLI)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ocrbench-gate-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const bin = resolve('bin/ocrbench.js');
  const write = (name: string, run: ReturnType<typeof makeRun>) =>
    writeFileSync(join(dir, name), JSON.stringify(run));
  write('base.json', makeRun({ id: 'base', seed: 1, trials: 5, jobsPerTrial: 80 }));
  write(
    'slow.json',
    makeRun({ id: 'slow', seed: 2, trials: 5, jobsPerTrial: 80, latencyFactor: 1.4 }),
  );
  const gate = (...args: string[]) =>
    spawnSync(process.execPath, [bin, 'gate', ...args], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, GITHUB_STEP_SUMMARY: join(dir, 'summary.md') },
    });

  it('exits 1 on a regression, writes JUnit and the step summary', () => {
    const result = gate('base.json', 'slow.json', '--junit', 'junit.xml');
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/gate FAILED/);
    expect(readFileSync(join(dir, 'junit.xml'), 'utf8')).toMatch(/failures="2"/);
    expect(readFileSync(join(dir, 'summary.md'), 'utf8')).toMatch(/\*\*FAIL\*\*/);
  });

  it('exits 0 on A/A and 2 on a bad gate file or a missing run', () => {
    expect(gate('base.json', 'base.json').status).toBe(0);
    writeFileSync(join(dir, 'bad.yaml'), 'alpha: 2\n');
    const bad = gate('base.json', 'slow.json', '--gate', 'bad.yaml');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/E_GATE_FILE: bad\.yaml:1: field `alpha`/);
    const missing = gate('nope', 'slow.json');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/E_RUN_FILE: nope: no run found/);
  });
});
