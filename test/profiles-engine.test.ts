import { afterEach, describe, expect, it } from 'vitest';
import { driveEngine } from './helpers/drive-engine.ts';
import { startFakeOcrServer, type FakeOcrServer } from './servers/fake-ocr-server.ts';

// Each profile end to end: the load engine, the profile and a loopback service of that shape.

let server: FakeOcrServer | null = null;

afterEach(async () => {
  await server?.close();
  server = null;
});

const fast = { intervalMs: 10, maxIntervalMs: 20, maxWaitSeconds: 5, lostAfterPolls: 2 };

describe('profiles through the load engine', () => {
  it('ocrlotes-batch: three files a request, every job completed with server times', async () => {
    server = await startFakeOcrServer({ workers: 2, processingMs: 20, failEvery: 4 });
    const { collector, records } = await driveEngine(server.url, {
      target: { url: server.url, profile: 'ocrlotes-batch' },
      load: { model: 'closed', concurrency: 2, jobs: 12 },
      poll: fast,
      uploads: { uniqueBytes: false, filesPerRequest: 3, maxRetries: 0 },
    });
    const counts = collector.counts();
    // 4 requests of 3 files: 12 jobs; every 4th fails (jobs 4, 8, 12).
    expect(server.stats.requests.batchUpload).toBe(4);
    expect(counts.submitted).toBe(12);
    expect(counts.completed).toBe(9);
    expect(counts.failedByClass).toEqual({ jobError: 3 });
    const completed = records.filter((record) => record.fate === 'completed');
    expect(completed.every((record) => record.timingSource === 'server')).toBe(true);
    expect(completed.every((record) => record.processingMs === 20)).toBe(true);
    expect(records.map((record) => record.jobId).sort()[0]).toBe('batch-1:0');
  });

  it('generic: a Celery-like service, lost jobs counted as lost', async () => {
    server = await startFakeOcrServer({ processingMs: 15, vanish: (job) => job.index === 2 });
    const { collector, records } = await driveEngine(server.url, {
      target: {
        url: server.url,
        profile: 'generic',
        generic: {
          submit: { path: '/tasks', jobIdPath: '$.task_id' },
          status: { pathTemplate: '/tasks/{id}', statePath: '$.state' },
          result: {
            textPath: '$.result.text',
            processingTimePath: '$.result.processing_time_ms',
            processingTimeUnit: 'ms',
            enqueuedAtPath: '$.result.enqueued_at',
            startedAtPath: '$.result.started_at',
          },
        },
      },
      load: { model: 'closed', concurrency: 1, jobs: 3 },
      poll: fast,
    });
    const counts = collector.counts();
    expect(counts.submitted).toBe(3);
    expect(counts.completed).toBe(2);
    expect(counts.lost).toBe(1);
    expect(records.find((record) => record.fate === 'lost')?.jobId).toBe('job-2');
    const completed = records.filter((record) => record.fate === 'completed');
    expect(completed.map((record) => record.processingMs)).toEqual([15, 15]);
  });

  it('sync: the upload completes the job, 503s counted as http5xx', async () => {
    server = await startFakeOcrServer({ processingMs: 10, status503Every: 3 });
    const { collector, records } = await driveEngine(server.url, {
      target: { url: server.url, profile: 'sync' },
      load: { model: 'closed', concurrency: 1, jobs: 6 },
      poll: fast,
      uploads: { uniqueBytes: false, filesPerRequest: 1, maxRetries: 0 },
    });
    const counts = collector.counts();
    expect(counts.completed).toBe(4);
    expect(counts.failedByClass).toEqual({ http5xx: 2 });
    const completed = records.filter((record) => record.fate === 'completed');
    expect(completed.every((record) => record.processingMs === 10)).toBe(true);
    expect(server.stats.requests.sync).toBe(6);
    expect(server.stats.requests.result).toBeUndefined();
  });
});
