import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeOcrServer, type FakeOcrServer } from './servers/fake-ocr-server.ts';
import { runEngineOn } from './helpers/engine-result.ts';
import { runCli } from './helpers/cli.ts';
import { scenarioSchema, type ScenarioInput } from '../src/scenario/schema.ts';
import type { JobRecord } from '../src/record/run-file.ts';

// The load engine's phases: warm-up jobs all reach their fate before the first measured job
// is sent, and a closed load never starts more clients than its jobs can use.

let server: FakeOcrServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

const parse = (overrides: Partial<ScenarioInput> & Pick<ScenarioInput, 'load'>) =>
  scenarioSchema.parse({
    name: 'phases',
    dataset: { path: '.' },
    poll: { intervalMs: 10, maxIntervalMs: 20, maxWaitSeconds: 30 },
    ...overrides,
  });

/** The server's view of each record's job (its id is the server's). */
function serverJob(record: JobRecord) {
  const job = server!.jobs.get(record.jobId ?? '');
  if (!job) throw new Error(`no server job ${record.jobId}`);
  return job;
}

describe('warm-up runs first', () => {
  // The first WARMUP jobs the service accepts take SLOW_MS, the rest FAST_MS, on 2 workers:
  // a measured job sent while a warm-up job still runs would queue behind it.
  const WARMUP = 2;
  const SLOW_MS = 400;
  const FAST_MS = 10;

  async function slowFirstJobs() {
    server = await startFakeOcrServer({
      workers: 2,
      processingMs: (job) => (job.index <= WARMUP ? SLOW_MS : FAST_MS),
    });
    return server.url;
  }

  function expectWarmupFirst(records: JobRecord[], measuredStartMs: number) {
    const warmup = records.filter((record) => record.warmup);
    const measured = records.filter((record) => !record.warmup);
    expect(warmup).toHaveLength(WARMUP);
    expect(warmup.every((record) => record.fate === 'completed')).toBe(true);
    expect(measured.every((record) => record.fate === 'completed')).toBe(true);
    // On the server's clock: no measured job arrived before every warm-up job finished.
    const warmupDoneAt = Math.max(...warmup.map((record) => serverJob(record).finishedAtMs));
    for (const record of measured) {
      expect(serverJob(record).enqueuedAtMs).toBeGreaterThanOrEqual(warmupDoneAt);
      // So none waited for a worker busy with a warm-up job (those take SLOW_MS).
      expect(record.queueWaitMs).toBeLessThan(SLOW_MS);
    }
    // On ours: the measured phase began after the warm-up, and every measured job after it.
    expect(Math.min(...measured.map((record) => record.scheduledAtMs))).toBeGreaterThanOrEqual(
      measuredStartMs,
    );
    return measured;
  }

  it('closed: the clients run the warm-up jobs, wait, then the measured ones', async () => {
    const url = await slowFirstJobs();
    const run = await runEngineOn(
      url,
      parse({ load: { model: 'closed', concurrency: 4, jobs: 4 }, warmup: { jobs: WARMUP } }),
    );
    const measured = expectWarmupFirst(run.records, run.engine.measuredStartMs);
    expect(measured).toHaveLength(4);
    expect(run.engine.measuredStartMs).toBeGreaterThanOrEqual(SLOW_MS);
    // Every warm-up request was announced before the first measured one.
    const phases = run.submissions.map((submission) => submission.warmup);
    expect(phases).toEqual([true, true, false, false, false, false]);
  });

  it('open: warm-up arrivals at the start rate, then the schedule from phase start', async () => {
    const url = await slowFirstJobs();
    const run = await runEngineOn(
      url,
      parse({ load: { model: 'open', rate: 20, jobs: 6 }, warmup: { jobs: WARMUP } }),
    );
    const measured = expectWarmupFirst(run.records, run.engine.measuredStartMs);
    // Intended starts count from the measured phase: 20 jobs/s is one every 50 ms from 0,
    // not from the trial start (which would make every measured job "late").
    const offsets = measured
      .map((record) => record.scheduledAtMs - run.engine.measuredStartMs)
      .sort((a, b) => a - b);
    // Timers fire up to about a millisecond early or late; a job then starts when sent.
    offsets.forEach((offset, index) => expect(Math.abs(offset - index * 50)).toBeLessThan(2));
    // The 7th arrival, at 300 ms, is the first the job limit left out: submission ended there.
    expect(run.engine.submissionEndMs - run.engine.measuredStartMs).toBeCloseTo(300, 6);
  });
});

describe('closed-load clients', () => {
  it('starts no more clients than the jobs can use, whatever the concurrency', async () => {
    server = await startFakeOcrServer({ processingMs: 5 });
    const scenario = parse({ load: { model: 'closed', concurrency: 10, jobs: 4 } });
    // Past the schema's maximum on purpose: the engine must not build a client per unit of
    // concurrency (a million promise chains before the fix; 1e8 ran out of heap).
    if (scenario.load.model === 'closed') scenario.load.concurrency = 1_000_000;
    const run = await runEngineOn(server.url, scenario);
    expect(run.engine.clients).toBe(4);
    expect(run.collector.counts()).toMatchObject({ submitted: 4, completed: 4 });
    expect(server.stats.uploads).toHaveLength(4);
  });

  it('counts requests, not jobs, when several files go in one request', async () => {
    server = await startFakeOcrServer({ processingMs: 5 });
    const run = await runEngineOn(
      server.url,
      parse({
        target: { profile: 'ocrlotes-batch' },
        load: { model: 'closed', concurrency: 50, jobs: 5 },
        uploads: { filesPerRequest: 2 },
      }),
    );
    // 5 jobs in requests of 2: 3 requests, so 3 clients.
    expect(run.engine.clients).toBe(3);
    expect(run.collector.counts()).toMatchObject({ submitted: 5, completed: 5 });
  });
});

describe('schema maximum of concurrency and maxInFlight', () => {
  it('scenario check refuses 100000000 clients or jobs in flight with exit code 2', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'ocrbench-limits-'));
    const files = {
      closed: '{ model: closed, concurrency: 100000000, jobs: 4 }',
      open: '{ model: open, rate: 5, jobs: 4, maxInFlight: 100000000 }',
    };
    for (const [name, load] of Object.entries(files)) {
      writeFileSync(join(folder, `${name}.yaml`), `name: x\ndataset: { path: . }\nload: ${load}\n`);
    }
    const closed = await runCli(['scenario', 'check', join(folder, 'closed.yaml')]);
    expect(closed.status).toBe(2);
    expect(closed.stderr).toMatch(/load\.concurrency.*must be <= 10000/);
    const open = await runCli(['scenario', 'check', join(folder, 'open.yaml')]);
    expect(open.status).toBe(2);
    expect(open.stderr).toMatch(/load\.maxInFlight.*must be <= 10000/);
    // The limit itself is accepted.
    expect(() => parse({ load: { model: 'closed', concurrency: 10_000, jobs: 1 } })).not.toThrow();
  });
});
