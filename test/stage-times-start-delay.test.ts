import { afterEach, describe, expect, it } from 'vitest';
import { Pool } from 'undici';
import { startFakeOcrServer, type FakeOcrServer } from './servers/fake-ocr-server.ts';
import { runEngineOn } from './helpers/engine-result.ts';
import { tinyDocument } from './helpers/drive-engine.ts';
import { completedJobs, oneTrialRun } from './helpers/diagnosis-fixtures.ts';
import { diagnose, renderDiagnosisMarkdown } from '../src/analyze/diagnosis.ts';
import { jobStart, runUpload } from '../src/load/job.ts';
import { ocrlotesProfile } from '../src/profiles/ocrlotes.ts';
import { scenarioSchema, type ScenarioInput } from '../src/scenario/schema.ts';
import type { JobRecord } from '../src/record/run-file.ts';

// The wait before a request leaves ocrbench (the in-flight cap, a late generator) is its own
// stage, `startDelay`: end-to-end still counts it, but upload and the diagnosis never
// blame it on the service. And no stage is ever negative.

let server: FakeOcrServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

const parse = (overrides: Partial<ScenarioInput> & Pick<ScenarioInput, 'load'>) =>
  scenarioSchema.parse({ name: 'start-delay', dataset: { path: '.' }, ...overrides });

const STAGE_FIELDS = [
  'startDelayMs',
  'uploadMs',
  'queueWaitMs',
  'processingMs',
  'resultFetchMs',
  'endToEndMs',
] as const;

/** Every stage a record has, and whether any is negative. */
function expectNoNegativeStage(record: JobRecord) {
  for (const field of STAGE_FIELDS) {
    const value = record[field];
    if (value !== undefined) expect(value, `${field} of ${record.jobId}`).toBeGreaterThanOrEqual(0);
  }
}

describe('start delay: the in-flight cap', () => {
  it('is its own stage, and the diagnosis names the cap, not the upload', async () => {
    // A fast service, but each job stays in flight for a 100 ms poll: 10 in flight finish
    // about 100 jobs/s, half the 200 jobs/s offered, so arrivals wait for the cap.
    server = await startFakeOcrServer({ processingMs: 5 });
    const jobs = 100;
    const run = await runEngineOn(
      server.url,
      parse({
        load: { model: 'open', rate: 200, jobs, maxInFlight: 10 },
        poll: { intervalMs: 100, maxIntervalMs: 100, backoff: 1 },
      }),
    );
    const counts = run.collector.counts();
    expect(counts).toMatchObject({ submitted: jobs, completed: jobs });
    // Counted as capped, not as a late generator: the cap, not ocrbench, held them.
    expect(run.engine.generator.cappedJobs).toBeGreaterThan(jobs / 5);
    // Each job says why it left late; the cap holds most of the waiting (a busy machine
    // may add some lateness of ocrbench's own).
    const delayBy = (cause: string) =>
      run.records
        .filter((record) => record.startDelayCause === cause)
        .reduce((sum, record) => sum + record.startDelayMs!, 0);
    expect(run.records.filter((r) => r.startDelayCause === 'inFlightCap')).toHaveLength(
      run.engine.generator.cappedJobs,
    );
    expect(delayBy('inFlightCap')).toBeGreaterThan(delayBy('behindSchedule'));

    for (const record of run.records) {
      expectNoNegativeStage(record);
      // End-to-end still runs from the intended start: the wait is in it (no coordinated
      // omission). Start -> sent -> upload answered -> result in hand, all on our clock.
      const beforeAnswer = record.startDelayMs! + record.uploadMs!;
      expect(record.endToEndMs! - beforeAnswer - record.resultFetchMs!).toBeGreaterThanOrEqual(
        -1e-6,
      );
    }
    const stages = run.collector.stages();
    // The wait is start delay; a 64-byte upload on loopback stays well under it (a tenth
    // on a quiet machine; half leaves room for a busy one).
    expect(stages.startDelay!.count).toBe(jobs);
    expect(stages.upload!.p50Ms * 2).toBeLessThan(stages.startDelay!.p50Ms);
    expect(stages.endToEnd!.p50Ms).toBeGreaterThan(stages.startDelay!.p50Ms);

    const trial = oneTrialRun({
      completed: jobs,
      trial: {
        jobs: counts,
        stages,
        generator: run.engine.generator,
        throughput: run.collector.throughput({ ...run.engine, lengthSeconds: 1 }),
      },
    });
    const diagnosis = diagnose(trial, run.records);
    expect(diagnosis.largestDelay?.stage).toBe('startDelay');
    expect(diagnosis.headline).toMatch(
      /^Largest delay: start delay \(waiting for ocrbench's in-flight cap\), \d+% of end-to-end/,
    );
    const largest = diagnosis.findings.find((f) => f.code === 'largest-delay')!;
    expect(largest.evidence).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^${run.engine.generator.cappedJobs} of ${jobs} measured arrivals waited for the ` +
            'in-flight cap \\(load.maxInFlight\\) before their upload was sent, \\d+% of ' +
            'all start delay$',
        ),
      ),
    );
    expect(largest.suggestion).toMatch(/completes fewer jobs per second than offered/);
    // Nothing says uploads are slow.
    expect(diagnosis.findings.map((f) => f.code)).not.toContain('upload-heavy');
    const markdown = renderDiagnosisMarkdown(diagnosis, trial);
    expect(markdown).not.toMatch(/largest delay is upload|Stream uploads/i);
    expect(markdown).toContain('| start delay | upload |');
  });

  it('falls back on a job log without start delays (older runs)', () => {
    const jobs = completedJobs(10, () => ({}));
    const diagnosis = diagnose(oneTrialRun(), jobs);
    expect(diagnosis.overall?.shares.find((s) => s.stage === 'startDelay')?.shareOfEndToEnd).toBe(
      0,
    );
    expect(diagnosis.largestDelay?.stage).toBe('processing');
  });
});

describe('no negative stage', () => {
  it('starts a job when its request left, if a timer fired before its intended time', () => {
    expect(jobStart(100, 99.6)).toEqual({ startMs: 99.6, startDelayMs: 0 });
    expect(jobStart(100, 130)).toEqual({ startMs: 100, startDelayMs: 30 });
  });

  it('a request sent before its intended start has no negative upload', async () => {
    server = await startFakeOcrServer({ processingMs: 5 });
    const pool = new Pool(server.url, { connections: 2 });
    const context = {
      baseUrl: new URL(server.url),
      dispatcher: pool,
      headers: {},
      requestTimeoutMs: 10_000,
    };
    const startedAt = performance.now();
    const now = () => performance.now() - startedAt;
    try {
      // Intended 10 s from now: the request leaves early, as a timer firing early does
      // (by a fraction of a millisecond in real runs; 10 s here so a sign error shows).
      const intendedMs = now() + 10_000;
      const [outcome] = await runUpload(
        {
          profile: ocrlotesProfile,
          uploadContext: context,
          pollContext: context,
          poll: scenarioSchema.shape.poll.parse({ intervalMs: 10, maxIntervalMs: 10 }),
          uniqueBytes: false,
          maxRetries: 0,
          trial: 0,
          now,
          signal: new AbortController().signal,
          onThrottled: () => {},
        },
        [tinyDocument],
        intendedMs,
        false,
      );
      const record = outcome.record;
      expect(record.fate).toBe('completed');
      expectNoNegativeStage(record);
      expect(record.startDelayMs).toBe(0);
      expect(record.scheduledAtMs).toBeLessThan(intendedMs);
      expect(record.endToEndMs).toBeGreaterThanOrEqual(record.uploadMs!);
    } finally {
      await pool.close();
    }
  });

  it('over an open run, no job has a negative stage', async () => {
    server = await startFakeOcrServer({ processingMs: 2 });
    const run = await runEngineOn(
      server.url,
      parse({
        load: { model: 'open', rate: 100, jobs: 60 },
        poll: { intervalMs: 5, maxIntervalMs: 5 },
      }),
    );
    expect(run.records).toHaveLength(60);
    run.records.forEach(expectNoNegativeStage);
    // A job never starts after its request was sent.
    for (const record of run.records) expect(record.startDelayMs).toBeGreaterThanOrEqual(0);
  });
});
