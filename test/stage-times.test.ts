import { afterEach, describe, expect, it } from 'vitest';
import { startFakeOcrServer, type FakeOcrServer } from './servers/fake-ocr-server.ts';
import { driveEngine } from './helpers/drive-engine.ts';
import { trialCaveats } from '../src/run/caveats.ts';
import { scenarioSchema } from '../src/scenario/schema.ts';
import type { JobRecord } from '../src/record/run-file.ts';
import { quietGenerator } from './helpers/make-run.ts';
import { emptyJobCounts } from '../src/record/summary.ts';

// Stage times as the engine records them against loopback services: what polls cannot
// resolve stays out of queue wait, and impossible server timings are clamped and counted.

let server: FakeOcrServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

/** Polls at a fixed interval, so each gap between polls is known. */
const everyMs = (intervalMs: number) => ({
  intervalMs,
  maxIntervalMs: intervalMs,
  backoff: 1,
  maxWaitSeconds: 10,
});

/** What no stage holds: the diagnosis shows it as "other". */
const unattributed = (r: JobRecord) =>
  r.endToEndMs! -
  r.startDelayMs! -
  r.uploadMs! -
  (r.queueWaitMs ?? 0) -
  (r.processingMs ?? 0) -
  r.resultFetchMs!;

const caveatsOf = (records: JobRecord[]) =>
  trialCaveats({
    scenario: scenarioSchema.parse({
      name: 't',
      dataset: { path: '.' },
      load: { model: 'open', rate: 1, durationSeconds: 1 },
    }),
    counts: { ...emptyJobCounts(), submitted: records.length, completed: records.length },
    generator: quietGenerator(),
    records,
    nonUniqueFormats: [],
  });

describe('queue wait observed by polling', () => {
  it('leaves the gap between polls out of queue wait', async () => {
    // No queue (no worker limit), 30 ms of OCR, no server timestamps, polls 250 ms apart:
    // each job is processing at the first poll and done at the second, 250 ms later.
    server = await startFakeOcrServer({ processingMs: 30, timestamps: false });
    const { records } = await driveEngine(server.url, {
      load: { model: 'closed', concurrency: 1, jobs: 4 },
      poll: everyMs(250),
    });
    expect(records).toHaveLength(4);
    for (const record of records) {
      expect(record.timingSource).toBe('poll');
      expect(record.processingMs).toBe(30);
      // The job never waited; before, the whole gap after it finished (~220 ms) was
      // counted as queue wait.
      expect(record.queueWaitMs).toBeLessThan(5);
      expect(record.endToEndMs).toBeGreaterThanOrEqual(250);
      expect(unattributed(record)).toBeGreaterThan(200);
    }
    const caveat = caveatsOf(records).find((c) => c.code === 'poll-resolution');
    expect(caveat?.message).toMatch(/^4 jobs had no server timestamps/);
    expect(caveat?.message).toMatch(/left in "other"/);
  });

  it('counts only the wait the polls saw, never more than the true wait', async () => {
    // One worker, 300 ms per job, two clients: every other job queues ~300 ms behind the
    // one being processed. Polls 100 ms apart bracket the moment it starts.
    server = await startFakeOcrServer({ processingMs: 300, workers: 1, timestamps: false });
    const { records } = await driveEngine(server.url, {
      load: { model: 'closed', concurrency: 2, jobs: 6 },
      poll: everyMs(100),
    });
    const jobs = server.jobs;
    let queued = 0;
    for (const record of records) {
      const job = jobs.get(record.jobId!)!;
      const trueWaitMs = job.startedAtMs - job.enqueuedAtMs;
      expect(record.processingMs).toBe(300);
      // A lower bound: the start lies between two polls, and only the part before the
      // last poll that saw the job queued is attributed (5 ms: two clocks in one process).
      expect(record.queueWaitMs!).toBeLessThanOrEqual(trueWaitMs + 5);
      expect(record.queueWaitMs!).toBeGreaterThanOrEqual(trueWaitMs - 100 - 5);
      if (trueWaitMs > 150) queued++;
    }
    expect(queued).toBeGreaterThanOrEqual(2);
  });

  it('takes processing without a server time from the polls that saw it', async () => {
    server = await startFakeOcrServer({
      processingMs: 400,
      timestamps: false,
      reportProcessingTime: false,
    });
    const { records } = await driveEngine(server.url, {
      load: { model: 'closed', concurrency: 1, jobs: 2 },
      poll: everyMs(100),
    });
    for (const record of records) {
      // Seen processing from the first poll (~0 ms) to the last before done (~400 ms):
      // 300 to 400 ms proven; the rest of the 400 ms is between polls.
      expect(record.processingMs!).toBeGreaterThanOrEqual(300 - 5);
      expect(record.processingMs!).toBeLessThanOrEqual(400 + 5);
      expect(record.queueWaitMs).toBeLessThan(5);
    }
  });
});

describe('impossible server timings', () => {
  async function misreporting(misreport: (index: number) => Record<string, unknown>) {
    server = await startFakeOcrServer({
      processingMs: 40,
      misreport: (job) => misreport(job.index),
    });
    const { records, collector } = await driveEngine(server.url, {
      load: { model: 'closed', concurrency: 1, jobs: 3 },
      poll: everyMs(20),
    });
    expect(records.every((record) => record.fate === 'completed')).toBe(true);
    return { records, collector };
  }

  it('clamps a negative processing_time and counts it', async () => {
    const { records } = await misreporting(() => ({ processing_time: -1.5 }));
    for (const record of records) {
      expect(record.impossibleTimings).toEqual(['processing_time -1500 ms < 0']);
      // The timestamps still tell how long processing took (40 ms).
      expect(record.processingMs).toBeGreaterThanOrEqual(39);
      expect(record.processingMs).toBeLessThan(60);
      expect(record.timingSource).toBe('server');
    }
    const caveat = caveatsOf(records).find((c) => c.code === 'impossible-timings');
    expect(caveat?.message).toMatch(
      /^3 jobs reported impossible server timings; clamped \(negative processing_time 3\)/,
    );
  });

  it('clamps timestamps out of order and a stage longer than end-to-end', async () => {
    const early = new Date(Date.now() - 60_000).toISOString();
    const { records, collector } = await misreporting((index) =>
      index === 1
        ? { started_at: early } // picked up a minute before it was queued
        : index === 2
          ? { processing_time: 3600 } // an hour of OCR in a job that took milliseconds
          : {},
    );
    const [outOfOrder, tooLong, honest] = records;
    expect(outOfOrder.impossibleTimings).toEqual([
      expect.stringMatching(/^started_at 6\d{4} ms before enqueued_at$/),
    ]);
    expect(outOfOrder.queueWaitMs).toBe(0);
    expect(tooLong.impossibleTimings).toEqual([
      expect.stringMatching(/^processing 3600000 ms > end-to-end \d+ ms$/),
    ]);
    expect(tooLong.processingMs).toBe(tooLong.endToEndMs);
    expect(tooLong.queueWaitMs).toBe(0);
    expect(honest.impossibleTimings).toBeUndefined();
    expect(honest.processingMs).toBe(40);
    // Every stage fits in its job: no stage's max exceeds end-to-end's.
    const stages = collector.stages();
    expect(stages.processing!.maxMs).toBeLessThanOrEqual(stages.endToEnd!.maxMs);
    expect(stages.queueWait!.maxMs).toBeLessThanOrEqual(stages.endToEnd!.maxMs);

    const caveat = caveatsOf(records).find((c) => c.code === 'impossible-timings');
    expect(caveat?.message).toBe(
      '2 jobs reported impossible server timings; clamped (timestamps out of order 1, ' +
        'stage longer than end-to-end 1). Their queue wait and processing were bounded to ' +
        '[0, end-to-end]; jobs.ndjson lists what each reported under impossibleTimings.',
    );
  });
});
