import { afterEach, describe, expect, it } from 'vitest';
import { startFakeOcrServer, type FakeOcrServer } from './servers/fake-ocr-server.ts';
import { driveEngine } from './helpers/drive-engine.ts';
import type { ScenarioInput } from '../src/scenario/schema.ts';

// Each profile end to end through the load engine, against a loopback service of its
// shape: every job completes, stage histograms hold every completed job, and the queue
// wait and processing times come from where the profile says.

let server: FakeOcrServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

const poll = { intervalMs: 10, maxIntervalMs: 20, maxWaitSeconds: 10 };

async function runProfile(target: ScenarioInput['target'], filesPerRequest = 1) {
  server = await startFakeOcrServer({ processingMs: 40, workers: 1 });
  const { collector, records } = await driveEngine(server.url, {
    target: { ...target, url: server.url },
    load: { model: 'closed', concurrency: 2, jobs: 6 },
    poll,
    uploads: { uniqueBytes: true, filesPerRequest, maxRetries: 0 },
  });
  const counts = collector.counts();
  expect(counts.submitted).toBe(6);
  expect(counts.completed).toBe(6);
  expect(collector.stages().endToEnd?.count).toBe(6);
  return { collector, records };
}

describe('profiles end to end', () => {
  it('ocrlotes: server timestamps give queue wait and processing', async () => {
    const { records, collector } = await runProfile({ profile: 'ocrlotes' });
    expect(records.every((r) => r.timingSource === 'server')).toBe(true);
    // One worker, 40 ms each, two clients: some job waits for the worker.
    expect(collector.stages().processing!.p50Ms).toBeGreaterThanOrEqual(39);
    expect(collector.stages().queueWait!.maxMs).toBeGreaterThan(5); // one worker, two clients
  });

  it('ocrlotes-batch: several files per batch, each its own job', async () => {
    const { records } = await runProfile({ profile: 'ocrlotes-batch' }, 3);
    expect(new Set(records.map((r) => r.jobId?.split(':')[0])).size).toBe(2);
    expect(server!.stats.requests.batchUpload).toBe(2);
    expect(records.every((r) => (r.processingMs ?? 0) >= 39)).toBe(true);
  });

  it('generic: a Celery-like service configured in the scenario', async () => {
    const { records } = await runProfile({
      profile: 'generic',
      generic: {
        submit: { path: '/tasks', fileField: 'file', jobIdPath: '$.task_id' },
        status: { pathTemplate: '/tasks/{id}', statePath: '$.state' },
        result: {
          textPath: '$.result.text',
          processingTimePath: '$.result.processing_time_ms',
          processingTimeUnit: 'ms',
          enqueuedAtPath: '$.result.enqueued_at',
          startedAtPath: '$.result.started_at',
          finishedAtPath: '$.result.finished_at',
        },
      },
    });
    expect(records.every((r) => r.timingSource === 'server')).toBe(true);
    expect(records.every((r) => Math.abs((r.processingMs ?? 0) - 40) < 15)).toBe(true);
  });

  it('sync: the upload answers with the result', async () => {
    const { records } = await runProfile({ profile: 'sync' });
    expect(server!.stats.requests.result ?? 0).toBe(0);
    // The request holds queue wait and processing (40 ms, one worker, two clients): they
    // are the service's, and upload is only what is left of the request. The wait before
    // the request left (startDelay, client-side) closes the sum.
    for (const record of records) {
      expect(record.timingSource).toBe('server');
      expect(record.processingMs).toBeGreaterThanOrEqual(39);
      const parts =
        record.startDelayMs! + record.uploadMs! + record.queueWaitMs! + record.processingMs!;
      expect(parts).toBeCloseTo(record.endToEndMs!, 6);
      expect(record.uploadMs).toBeLessThan(record.endToEndMs! - 39);
    }
  });
});
