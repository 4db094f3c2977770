import { afterEach, describe, expect, it } from 'vitest';
import { startFakeOcrServer, type FakeOcrServer } from './servers/fake-ocr-server.ts';
import { driveEngine } from './helpers/drive-engine.ts';
import type { JobCounts } from '../src/record/run-file.ts';

let server: FakeOcrServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

const fast = { intervalMs: 10, maxIntervalMs: 20, maxWaitSeconds: 2, lostAfterPolls: 2 };

function expectAddsUp(counts: JobCounts): void {
  const { submitted, completed, failed, timedOut, lost, inFlight } = counts;
  expect(completed + failed + timedOut + lost + inFlight).toBe(submitted);
}

describe('every job accounted for', () => {
  it('counts each fate of a misbehaving service exactly', async () => {
    // 24 jobs, one client at a time so the fault counters hit known jobs: uploads 6, 12,
    // 18, 24 are reset; uploads 8 and 16 get malformed JSON (24 is reset first, which
    // wins); of the 18 accepted jobs, 5, 10, 15 end in error, 3 never finishes, 7 vanishes.
    server = await startFakeOcrServer({
      processingMs: 5,
      resetEvery: { every: 6, on: 'submit' },
      malformedEvery: { every: 8, on: 'submit' },
      failEvery: 5,
      neverFinish: (job) => job.index === 3,
      vanish: (job) => job.index === 7,
    });
    const { collector, records } = await driveEngine(server.url, {
      load: { model: 'closed', concurrency: 1, jobs: 24 },
      poll: fast,
      uploads: { uniqueBytes: true, filesPerRequest: 1, maxRetries: 0 },
    });
    const counts = collector.counts();
    expectAddsUp(counts);
    expect(counts.submitted).toBe(24);
    expect(server.stats.jobs).toBe(18);
    expect(counts.failedByClass).toEqual({ connectionReset: 4, malformedResponse: 2, jobError: 3 });
    expect(counts.failed).toBe(9);
    expect(counts.timedOut).toBe(1);
    expect(counts.lost).toBe(1);
    expect(counts.completed).toBe(13);
    expect(records.filter((r) => r.fate === 'lost')[0].error).toMatch(/no longer knows/);
    expect(collector.stages().endToEnd?.count).toBe(counts.completed);
  });

  it('honours 429 Retry-After and counts the throttling', async () => {
    server = await startFakeOcrServer({
      processingMs: 5,
      throttle: { every: 3, on: 'submit', retryAfterSeconds: 0.2 },
    });
    const { collector } = await driveEngine(server.url, {
      load: { model: 'closed', concurrency: 1, jobs: 6 },
      poll: fast,
    });
    const counts = collector.counts();
    expectAddsUp(counts);
    expect(counts.completed).toBe(6);
    expect(counts.throttled).toBe(server.stats.faults.throttled);
    expect(counts.throttled).toBeGreaterThanOrEqual(2);
    // Each retried job waited the Retry-After (200 ms) before its upload succeeded.
    expect(collector.stages().upload!.maxMs).toBeGreaterThanOrEqual(200);
  });

  it('classifies 503 and refused connections', async () => {
    server = await startFakeOcrServer({ processingMs: 5, status503Every: { every: 2 } });
    const unavailable = await driveEngine(server.url, {
      load: { model: 'closed', concurrency: 1, jobs: 4 },
      poll: fast,
      uploads: { uniqueBytes: true, filesPerRequest: 1, maxRetries: 0 },
    });
    expect(unavailable.collector.counts().failedByClass.http5xx).toBe(2);
    const port = server.port;
    await server.close();
    server = null;
    const refused = await driveEngine(`http://127.0.0.1:${port}`, {
      load: { model: 'closed', concurrency: 1, jobs: 3 },
      poll: fast,
    });
    expect(refused.collector.counts().failedByClass.connectionRefused).toBe(3);
    expectAddsUp(refused.collector.counts());
  });

  it('sends Content-Length and unique bytes with every upload', async () => {
    server = await startFakeOcrServer({ processingMs: 1, requireContentLength: true });
    const { collector } = await driveEngine(server.url, {
      load: { model: 'closed', concurrency: 2, jobs: 6 },
      poll: fast,
    });
    expect(collector.counts().completed).toBe(6);
    expect(server.stats.uploads.every((upload) => upload.contentLength !== undefined)).toBe(true);
  });

  it('stops early on abort and accounts jobs in flight', async () => {
    server = await startFakeOcrServer({ processingMs: 60_000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const { collector } = await driveEngine(
      server.url,
      {
        load: { model: 'open', rate: 20, durationSeconds: 10 },
        poll: { ...fast, maxWaitSeconds: 120 },
      },
      controller.signal,
    );
    const counts = collector.counts();
    expectAddsUp(counts);
    expect(counts.inFlight).toBeGreaterThan(0);
    expect(counts.inFlight).toBe(counts.submitted);
  });
});
