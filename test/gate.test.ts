import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { evaluateGate } from '../src/compare/gate.ts';
import { GATE_DEFAULTS, resolveGate } from '../src/compare/gate-schema.ts';
import { parseGateText } from '../src/compare/load-gate.ts';
import { gateJunit } from '../src/report/junit.ts';
import { gateHeadline, gateMarkdown } from '../src/report/validation-gate.ts';
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

  it('names the line of an unknown key, and says the gate has no jobLevelFallback', () => {
    const text = '# gate\nalpha: 0.01\nminTrials: 3\njobLevelFallback: true\nfoo: 1\n';
    expect(() => parseGateText(text, 'g.yaml')).toThrowError(
      /^g\.yaml:4: top level: unknown key\(s\) jobLevelFallback, foo; /,
    );
    expect(() => parseGateText(text, 'g.yaml')).toThrowError(
      /The gate has no jobLevelFallback: .* set `tooFewTrials: pass`/s,
    );
    const nested =
      'relative:\n  endToEnd.p95Ms: { maxWorsePercent: 5 }\n  p95: { maxWorsePercent: 1 }\n';
    expect(() => parseGateText(nested, 'n.yaml')).toThrowError(/^n\.yaml:3: field `relative`/);
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

  it('fails a consistent +42% p95 regression on 3 vs 3 trials (Welch t on log trials)', () => {
    // Consistent trials: 300 jobs each, 2% drift between trials.
    const steady = { trials: 3, jobsPerTrial: 300, trialDrift: 0.02 };
    const few = makeRun({ id: 'few', seed: 6, ...steady });
    const slow = makeRun({ id: 'few-slow', seed: 7, latencyFactor: 1.42, ...steady });
    const result = evaluateGate(loaded(few), loaded(slow), resolveGate(), quick);
    const p95 = result.checks.find((c) => c.metricId === 'endToEnd.p95Ms')!;
    expect([p95.status, p95.reason, p95.test]).toEqual(['fail', 'significant', 'welchLogT']);
    expect(p95.adjustedPValue!).toBeLessThan(0.01);
    expect(p95.message).toMatch(/Welch's t-test on log trial values/);
    expect(result.exitCode).toBe(1);
    // The rank test's floor no longer limits these checks: no "decisive only" caveat.
    expect(result.caveats.join('\n')).not.toMatch(/can fail only on a decisive change/);
    // The exact rank test alone could not have failed it: its one-sided p is at least 1/20.
    const ranked = evaluateGate(loaded(few), loaded(slow), resolveGate(), {
      ...quick,
      rankTestMinTrials: 0,
    });
    expect(ranked.exitCode).toBe(0);
    expect(ranked.caveats.join('\n')).toMatch(/can fail only on a decisive change/);
  });

  it('reports, and by default passes, a regression too noisy to be significant', () => {
    const noisy = { trials: 3, jobsPerTrial: 100, trialDrift: 0.3 };
    const few = makeRun({ id: 'noisy', seed: 6, ...noisy });
    const slow = makeRun({ id: 'noisy-slow', seed: 7, latencyFactor: 1.3, ...noisy });
    const result = evaluateGate(loaded(few), loaded(slow), resolveGate(), quick);
    const p95 = result.checks.find((c) => c.metricId === 'endToEnd.p95Ms')!;
    expect([p95.status, p95.test]).toEqual(['inconclusive', 'welchLogT']);
    expect(p95.adjustedPValue!).toBeGreaterThan(0.01);
    expect(result.exitCode).toBe(0);
    const strict = evaluateGate(
      loaded(few),
      loaded(slow),
      resolveGate({ onInconclusive: 'fail' }),
      quick,
    );
    expect(strict.exitCode).toBe(1);
  });
});

describe('the gate headline and JUnit under onInconclusive: fail', () => {
  // No ground truth on either side: the CER check is not measured, hence undecided.
  const a = makeRun({ id: 'u-a', seed: 41, trials: 4, jobsPerTrial: 60, cer: null });
  const b = makeRun({ id: 'u-b', seed: 42, trials: 4, jobsPerTrial: 60, cer: null });
  // Relative checks off: which of them an A/A happens to leave undecided is chance.
  const noRelative = { 'endToEnd.p95Ms': null, 'throughput.completedPerSecond': null };
  const strict = resolveGate({ onInconclusive: 'fail', relative: noRelative });

  it('says "not shown to be within the limits", not "regressed", when nothing regressed', () => {
    const result = evaluateGate(loaded(a), loaded(b), strict, quick);
    expect(result.exitCode).toBe(1);
    expect(result.failedChecks).toEqual({ regressed: [], undecided: ['increase cer'] });
    const summary = gateMarkdown(result);
    expect(summary.split('\n')[0]).toBe(
      '### ocrbench gate FAILED: not shown to be within the limits (undecided or not ' +
        'measured: increase cer; onInconclusive: fail)',
    );
    expect(summary).not.toMatch(/regressed/);
    expect(summary).toMatch(/\| increase cer \| .* \| \*\*FAIL\*\* \(not measured, onInc/);
    const junit = gateJunit(result);
    expect(junit).toMatch(/failures="1"/);
    expect(junit).toMatch(/type="not-shown-within-limit"/);
    expect(junit).not.toMatch(/type="regression"/);
  });

  it('names both when a threshold broke and another check was undecided', () => {
    const lossy = makeRun({
      id: 'u-c',
      seed: 43,
      trials: 4,
      jobsPerTrial: 60,
      cer: null,
      lostPerTrial: 1,
    });
    const result = evaluateGate(loaded(a), loaded(lossy), strict, quick);
    expect(result.failedChecks.regressed).toEqual(['absolute lostRate']);
    expect(gateHeadline(result)).toBe(
      'FAILED: the candidate regressed; also not shown to be within the limits (undecided or ' +
        'not measured: increase cer; onInconclusive: fail)',
    );
    const lenient = evaluateGate(
      loaded(a),
      loaded(lossy),
      resolveGate({ relative: noRelative }),
      quick,
    );
    expect(gateHeadline(lenient)).toBe('FAILED: the candidate regressed');
    expect(lenient.failedChecks.undecided).toEqual([]);
  });
});

describe('evaluateGate with too few trials', () => {
  const one = (id: string, seed: number, extra: Parameters<typeof makeRun>[0] = {}) =>
    loaded(makeRun({ id, seed, trials: 1, jobsPerTrial: 300, trialDrift: 0.08, ...extra }));

  it('never fails a single-trial A/A on relative checks: exit 2, not judged', () => {
    for (const seed of [1, 3, 5, 7, 9]) {
      const result = evaluateGate(one('a', seed), one('b', seed + 1), resolveGate(), quick);
      expect(result.checks.filter((c) => c.status === 'fail')).toEqual([]);
      const relative = result.checks.filter((c) => c.name.startsWith('relative'));
      expect(relative.map((c) => [c.status, c.reason])).toEqual([
        ['inconclusive', 'tooFewTrials'],
        ['inconclusive', 'tooFewTrials'],
      ]);
      expect(result.exitCode).toBe(2);
      expect(result.tooFewTrials).toMatch(/need at least 3 trials per side; .* 1 \(baseline\)/);
    }
  });

  it('does not judge a single-trial regression either, however large', () => {
    const result = evaluateGate(
      one('a', 11),
      one('b', 12, { latencyFactor: 3 }),
      resolveGate(),
      quick,
    );
    expect(result.exitCode).toBe(2);
    expect(result.checks.find((c) => c.metricId === 'endToEnd.p95Ms')!.status).toBe('inconclusive');
  });

  it('still judges absolute limits and point checks on one trial', () => {
    const lost = evaluateGate(
      one('a', 13),
      one('b', 14, { lostPerTrial: 2 }),
      resolveGate(),
      quick,
    );
    expect(lost.exitCode).toBe(1);
    expect(lost.checks.find((c) => c.name === 'absolute lostRate')!.status).toBe('fail');
    const garbled = evaluateGate(
      one('a', 15, { cer: 0.0006 }),
      one('b', 16, { cer: 0.99 }),
      resolveGate(),
      quick,
    );
    expect(garbled.exitCode).toBe(1);
    const cer = garbled.checks.find((c) => c.name === 'increase cer')!;
    expect([cer.status, cer.reason]).toEqual(['fail', 'point']);
    // compare says the same about the same metric.
    expect(garbled.comparison.metrics.find((m) => m.id === 'cer')!.verdict).toBe('regressed');
  });

  it('passes with a warning under tooFewTrials: pass; exits 0 on absolute checks only', () => {
    const lenient = resolveGate({ tooFewTrials: 'pass' });
    const result = evaluateGate(one('a', 17), one('b', 18, { latencyFactor: 3 }), lenient, quick);
    expect(result.exitCode).toBe(0);
    expect(result.caveats[0]).toMatch(/^gate: NOT JUDGED \(tooFewTrials: pass\)/);
    const absoluteOnly = resolveGate({
      relative: { 'endToEnd.p95Ms': null, 'throughput.completedPerSecond': null },
      absolute: { 'endToEnd.p95Ms': 60_000 },
    });
    const plain = evaluateGate(one('a', 19), one('b', 20), absoluteOnly, quick);
    expect(plain.exitCode).toBe(0);
    expect(plain.tooFewTrials).toBeNull();
  });

  it('fails a x2.5 3-trial regression: significant (Welch), or decisive (rank test)', () => {
    const base = makeRun({ id: 'b3', seed: 21, trials: 3, jobsPerTrial: 120 });
    const slow = makeRun({ id: 's3', seed: 22, trials: 3, jobsPerTrial: 120, latencyFactor: 2.5 });
    const result = evaluateGate(loaded(base), loaded(slow), resolveGate(), quick);
    expect(result.exitCode).toBe(1);
    const p95 = result.checks.find((c) => c.metricId === 'endToEnd.p95Ms')!;
    expect([p95.status, p95.reason, p95.test]).toEqual(['fail', 'significant', 'welchLogT']);
    const ranked = evaluateGate(loaded(base), loaded(slow), resolveGate(), {
      ...quick,
      rankTestMinTrials: 0,
    });
    const byRank = ranked.checks.find((c) => c.metricId === 'endToEnd.p95Ms')!;
    expect([byRank.status, byRank.reason, byRank.test]).toEqual([
      'fail',
      'decisive',
      'mannWhitney',
    ]);
    expect(byRank.message).toMatch(/decisive/);
    expect(result.comparison.metrics.find((m) => m.id === 'endToEnd.p95Ms')!.verdict).toBe(
      'regressed',
    );
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

  it('exits 2 on single-trial runs with relative checks, saying how to fix it', () => {
    write('one-a.json', makeRun({ id: 'one-a', seed: 3, trials: 1, jobsPerTrial: 80 }));
    write('one-b.json', makeRun({ id: 'one-b', seed: 4, trials: 1, jobsPerTrial: 80 }));
    const result = gate('one-a.json', 'one-b.json', '--junit', 'one.xml');
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/E_GATE_TRIALS: relative endToEnd\.p95Ms, .*--trials 5/);
    expect(result.stdout).toMatch(/could not judge: too few trials/);
    expect(readFileSync(join(dir, 'one.xml'), 'utf8')).toMatch(/type="too-few-trials"/);
  });

  it("reads thresholds from a scenario's gate section, and reports typos in it", () => {
    writeFileSync(
      join(dir, 'scenario.yaml'),
      'name: s\ndataset: { path: d }\nload: { model: closed, concurrency: 1 }\n' +
        'gate:\n  relative:\n    endToEnd.p95Ms: { maxWorsePercent: 80 }\n',
    );
    const lenient = gate('base.json', 'slow.json', '--gate', 'scenario.yaml');
    expect(lenient.stderr).toMatch(/thresholds from scenario\.yaml/);
    expect(lenient.stdout).toMatch(/relative endToEnd\.p95Ms \| worse by at most 80%/);
    writeFileSync(
      join(dir, 'typo.yaml'),
      'name: s\ndataset: { path: d }\nload: { model: closed, concurrency: 1 }\n' +
        'gate:\n  relative:\n    endToEnd.p95: { maxWorsePercent: 80 }\n',
    );
    const typo = gate('base.json', 'slow.json', '--gate', 'typo.yaml');
    expect(typo.status).toBe(2);
    expect(typo.stderr).toMatch(/typo\.yaml:6: field `gate\.relative/);
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
