import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tinyDataset, writeScenario } from './helpers/tiny-dataset.ts';
import type { RunFile } from '../src/record/run-file.ts';
import { runCli, scenario, silentServer, startCli, tempDir, withServer } from './helpers/cli.ts';
import { alive, childHasConnection, childPids, until } from './helpers/processes.ts';

// Runs that cannot measure what they were asked to: a service that hangs or is not there,
// jobs that all fail, a Ctrl-C before the first trial. Each must end with the documented
// exit code and, where anything was measured, a written run.json.

describe.concurrent('the pre-check', () => {
  it('a service that accepts, never answers: "did not answer", exit 4, no run folder', async () => {
    const silent = await silentServer();
    try {
      const folder = await tinyDataset(1);
      const file = writeScenario(
        folder,
        scenario(silent.url, '{ model: closed, concurrency: 1, jobs: 1 }').replace(
          'profile: ocrlotes }',
          'profile: ocrlotes, requestTimeoutMs: 500 }',
        ),
      );
      const out = tempDir('out');
      const result = await runCli(['run', file, '--out', out, '--run-id', 'hung']);
      expect(result.status).toBe(4);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toContain(
        `the target at ${silent.url} accepted the connection but did not answer GET / ` +
          'within 0.5 s (UND_ERR_HEADERS_TIMEOUT)',
      );
      expect(readdirSync(out)).toEqual([]);
    } finally {
      await silent.close();
    }
  });

  it('nothing listening is "connection refused", exit 4, no run folder', async () => {
    const folder = await tinyDataset(1);
    const file = writeScenario(
      folder,
      scenario('http://127.0.0.1:9', '{ model: closed, concurrency: 1, jobs: 1 }'),
    );
    const out = tempDir('out');
    const result = await runCli(['run', file, '--out', out]);
    expect(result.status).toBe(4);
    expect(result.stderr).toContain('connection refused (ECONNREFUSED), nothing listens on');
    expect(readdirSync(out)).toEqual([]);
  });
});

describe.concurrent('runs that measured failures only', () => {
  it('every job failing exits 3 and the summary leads with it', async () => {
    await withServer({ status503Every: { every: 1, on: 'submit' } }, async (server) => {
      const folder = await tinyDataset(1);
      const file = writeScenario(
        folder,
        scenario(
          server.url,
          '{ model: closed, concurrency: 2, jobs: 4 }',
          'uploads: { maxRetries: 0 }\n',
        ),
      );
      const out = tempDir('out');
      const result = await runCli(['run', file, '--out', out, '--run-id', 'r', '--quiet']);
      expect(result.status).toBe(3);
      expect(result.stdout.split('\n')[0]).toBe(
        'NO JOB COMPLETED: 0 of 4 jobs completed: 4 failed (http5xx)',
      );
      expect(result.stdout).toContain('accuracy: not checked (no job completed)');
      expect(result.stderr).toContain('ocrbench: no job completed (4 submitted)');
      const run = JSON.parse(readFileSync(join(out, 'r', 'run.json'), 'utf8')) as RunFile;
      expect(run.summary.jobs.failedByClass.http5xx).toBe(4);
      expect(readFileSync(join(out, 'r', 'summary.md'), 'utf8')).toContain(
        '**No job completed: 0 of 4 jobs completed: 4 failed (http5xx).**',
      );
    });
  });

  it('shows how often the service answered 429', async () => {
    const throttle = { every: 2, on: 'submit' as const, retryAfterSeconds: 0 };
    await withServer({ processingMs: 5, throttle }, async (server) => {
      const folder = await tinyDataset(1);
      const file = writeScenario(
        folder,
        scenario(server.url, '{ model: closed, concurrency: 1, jobs: 4 }'),
      );
      const result = await runCli(['run', file, '--out', tempDir('out'), '--quiet']);
      expect(result.status).toBe(0);
      expect(result.stdout).toContain('4 of 4 jobs completed');
      expect(result.stdout).toMatch(/^throttled: [1-9]\d* answer\(s\) 429 Too Many Requests/m);
    });
  });
});

/** PIDs of the direct children of `pid` (Linux /proc). */
describe.concurrent('Ctrl-C before the first trial', () => {
  it('writes an empty run.json marked interrupted and exits 3', async () => {
    const silent = await silentServer();
    let connected = false;
    try {
      const folder = await tinyDataset(1);
      const file = writeScenario(
        folder,
        scenario(silent.url, '{ model: closed, concurrency: 1, jobs: 1 }'),
      );
      const out = tempDir('out');
      const { child, result } = startCli(['run', file, '--out', out, '--run-id', 'c', '--quiet']);
      // The pre-check is waiting for the hung service: the run has not started yet.
      await until(() => {
        connected = childHasConnection(child.pid!);
        return connected;
      }, 20_000);
      child.kill('SIGINT');
      const { status, stderr } = await result;
      expect(status).toBe(3);
      expect(stderr).toContain('stopping; writing what was measured');
      const run = JSON.parse(readFileSync(join(out, 'c', 'run.json'), 'utf8')) as RunFile;
      expect(run.complete).toBe(false);
      expect(run.stopReason).toBe('interrupted');
      expect(run.trials).toEqual([]);
      expect(run.summary.jobs.submitted).toBe(0);
      expect(existsSync(join(out, 'c', 'summary.md'))).toBe(true);
    } finally {
      await silent.close();
    }
  });

  it.skipIf(!existsSync('/proc/self/stat'))(
    'a second Ctrl-C while the built-in target starts kills the target too',
    async () => {
      const folder = await tinyDataset(1);
      const file = writeScenario(
        folder,
        scenario('builtin', '{ model: closed, concurrency: 1, jobs: 1 }').replace(
          'profile: ocrlotes }',
          'profile: ocrlotes, builtin: { workers: 1, languages: eng } }',
        ),
      );
      const out = tempDir('out');
      const { child, result } = startCli(['run', file, '--out', out, '--quiet']);
      let target: number | undefined;
      await until(() => (target = childPids(child.pid!)[0]) !== undefined, 30_000);
      expect(target).toBeDefined();
      child.kill('SIGINT');
      await new Promise((resolve) => setTimeout(resolve, 200));
      child.kill('SIGINT');
      const { status, stderr } = await result;
      expect(status).toBe(3);
      expect(stderr).toContain('stopped at once');
      expect(await until(() => !alive(target!), 5_000)).toBe(true);
    },
  );
});
