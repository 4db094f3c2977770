import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeOcrServer, type FakeOcrServer } from './servers/fake-ocr-server.ts';
import { tinyDataset, writeScenario } from './helpers/tiny-dataset.ts';
import type { RunFile } from '../src/record/run-file.ts';

let server: FakeOcrServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

function scenario(url: string, load: string): string {
  return `name: cli
target: { url: "${url}", profile: ocrlotes }
dataset: { path: . }
load: ${load}
poll: { intervalMs: 10, maxIntervalMs: 50, maxWaitSeconds: 60 }
observe: { intervalMs: 200 }
`;
}

/** Runs the CLI without blocking this process, which hosts the fake server. */
function runCli(
  args: string[],
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['bin/ocrbench.js', ...args]);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((done) => child.on('close', (status) => done({ status, stdout, stderr })));
}

describe('ocrbench run (CLI, external target)', () => {
  it('writes run.json, jobs.ndjson, summary.md, diagnosis.md; totals add up', async () => {
    server = await startFakeOcrServer({ processingMs: 20, workers: 1, failEvery: 4 });
    const folder = await tinyDataset();
    const file = writeScenario(
      folder,
      scenario(server.url, '{ model: closed, concurrency: 2, jobs: 8 }'),
    );
    const out = mkdtempSync(join(tmpdir(), 'ocrbench-out-'));
    const result = await runCli(['run', file, '--out', out, '--run-id', 'r1', '--quiet']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const run = JSON.parse(readFileSync(join(out, 'r1', 'run.json'), 'utf8')) as RunFile;
    const jobs = run.summary.jobs;
    expect(jobs.submitted).toBe(8);
    expect(jobs.completed + jobs.failed + jobs.timedOut + jobs.lost + jobs.inFlight).toBe(8);
    expect(jobs.failedByClass.jobError).toBe(2);
    expect(run.summary.stages.endToEnd?.count).toBe(jobs.completed);
    expect(run.summary.stages.queueWait?.count).toBe(jobs.completed);
    expect(run.summary.accuracy?.cer).toBe(0);
    expect(run.complete).toBe(true);
    expect(run.trials[0].observations.queue?.pending.length).toBeGreaterThan(0);
    const lines = readFileSync(join(out, 'r1', 'jobs.ndjson'), 'utf8')
      .trim()
      .split('\n');
    expect(lines).toHaveLength(8);
    expect(existsSync(join(out, 'r1', 'summary.md'))).toBe(true);
    expect(readFileSync(join(out, 'r1', 'diagnosis.md'), 'utf8')).toMatch(/queue|processing/i);
    expect(result.stdout).toContain('submitted 8 = completed 6 + failed 2');
  });

  it('Ctrl-C writes what was measured, with jobs in flight, and exits 3', async () => {
    server = await startFakeOcrServer({ processingMs: 60_000 });
    const folder = await tinyDataset();
    const file = writeScenario(
      folder,
      scenario(server.url, '{ model: open, rate: 10, durationSeconds: 60 }'),
    );
    const out = mkdtempSync(join(tmpdir(), 'ocrbench-out-'));
    const child = spawn(process.execPath, [
      'bin/ocrbench.js',
      'run',
      file,
      '--out',
      out,
      '--run-id',
      'r2',
      '--quiet',
    ]);
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    // Interrupt once the first jobs are known to be on the server.
    while ((server.stats.jobs ?? 0) < 3) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((done) => child.on('exit', done));
    expect(code).toBe(3);
    expect(stderr).toContain('stopping');
    const run = JSON.parse(readFileSync(join(out, 'r2', 'run.json'), 'utf8')) as RunFile;
    expect(run.complete).toBe(false);
    expect(run.stopReason).toBe('interrupted');
    expect(run.summary.jobs.inFlight).toBeGreaterThanOrEqual(3);
    expect(run.summary.jobs.inFlight).toBe(run.summary.jobs.submitted);
    expect(run.summary.caveats.map((c) => c.code)).toContain('stopped-early');
  });

  it('a target that dies mid-run ends the run as targetDied, written, exit 3', async () => {
    server = await startFakeOcrServer({ processingMs: 5 });
    const folder = await tinyDataset();
    const file = writeScenario(
      folder,
      scenario(server.url, '{ model: open, rate: 40, durationSeconds: 30 }'),
    );
    const out = mkdtempSync(join(tmpdir(), 'ocrbench-out-'));
    const running = runCli(['run', file, '--out', out, '--run-id', 'r3', '--quiet']);
    while ((server.stats.jobs ?? 0) < 20) await new Promise((r) => setTimeout(r, 20));
    await server.close();
    server = null;
    const result = await running;
    expect(result.status).toBe(3);
    const run = JSON.parse(readFileSync(join(out, 'r3', 'run.json'), 'utf8')) as RunFile;
    expect(run.stopReason).toBe('targetDied');
    const jobs = run.summary.jobs;
    expect(jobs.completed).toBeGreaterThanOrEqual(15);
    expect(jobs.failedByClass.connectionRefused).toBeGreaterThanOrEqual(10);
    expect(jobs.completed + jobs.failed + jobs.timedOut + jobs.lost + jobs.inFlight).toBe(
      jobs.submitted,
    );
  });

  it('an unreachable target is one clear line and exit 4', async () => {
    const folder = await tinyDataset();
    const file = writeScenario(
      folder,
      scenario('http://127.0.0.1:9', '{ model: closed, concurrency: 1, jobs: 1 }'),
    );
    const result = await runCli(['run', file, '--out', mkdtempSync(join(tmpdir(), 'o-'))]);
    expect(result.status).toBe(4);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(
      /E_TARGET_UNREACHABLE: cannot reach the target at http:\/\/127\.0\.0\.1:9/,
    );
  });

  it('a malformed scenario is one line per problem and exit 2', async () => {
    const result = await runCli(['run', 'test/fixtures/bad-scenario.yaml']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('test/fixtures/bad-scenario.yaml:5: load.concurrency');
    expect(result.stderr).not.toContain('    at ');
  });
});
