import { afterEach, describe, expect, it } from 'vitest';
import { getProfile } from '../src/profiles/index.ts';
import { startFakeOcrServer, type FakeOcrServer } from './servers/fake-ocr-server.ts';
import { contextFor, uploadFiles } from './servers/profile-driver.ts';
import { driveEngine } from './helpers/drive-engine.ts';

let server: FakeOcrServer | null = null;
let context: ReturnType<typeof contextFor> | null = null;

afterEach(async () => {
  await context?.close();
  await server?.close();
  server = null;
  context = null;
});

async function setUp(options: Parameters<typeof startFakeOcrServer>[0] = {}, settings?: unknown) {
  server = await startFakeOcrServer(options);
  context = contextFor(server.url, 2_000);
  const profile = getProfile('sync', { url: server.url, profile: 'sync', sync: settings });
  return { server, profile };
}

describe('sync profile against the fake service', () => {
  it('answers one upload with its result', async () => {
    const { server, profile } = await setUp({ processingMs: 25, text: 'uno' });
    const outcome = await profile.submit(context!, uploadFiles(1, 2048));
    expect(outcome.kind).toBe('completed');
    if (outcome.kind !== 'completed') return;
    expect(outcome.results).toHaveLength(1);
    expect(outcome.results[0]).toMatchObject({ text: 'uno', processingMs: 25, confidence: 91.5 });
    expect(server.stats.uploads[0]).toMatchObject({
      route: 'sync',
      transferEncoding: undefined,
      files: [{ field: 'files', name: 'page-1.png', bytes: 2048 }],
    });
    expect(Number(server.stats.uploads[0].contentLength)).toBe(server.stats.uploads[0].bodyBytes);
    expect(await profile.queueStatus(context!)).toBeNull();
  });

  it('keeps the order of several files', async () => {
    const { profile } = await setUp({ workers: 1, processingMs: 5, text: (job) => job.name });
    const outcome = await profile.submit(context!, uploadFiles(3));
    expect(outcome.kind === 'completed' && outcome.results.map((result) => result.text)).toEqual([
      'page-1.png',
      'page-2.png',
      'page-3.png',
    ]);
  });

  it('fails the request on a job error, a 503, malformed JSON and a timeout', async () => {
    const { profile } = await setUp({
      processingMs: 1,
      failEvery: 1,
      status503Every: 2,
      malformedEvery: 3,
      neverFinish: (job) => job.index === 2,
    });
    // Uploads 2 and 4 get 503, upload 3 malformed JSON; 1 and 5 become jobs 1 and 2.
    const outcomes = [];
    for (let upload = 0; upload < 5; upload++) {
      outcomes.push(await profile.submit(context!, uploadFiles(1)));
    }
    expect(outcomes[0]).toMatchObject({
      kind: 'failed',
      failureClass: 'jobError',
      error: 'fake failure of job 1',
    });
    expect(outcomes[1]).toMatchObject({ kind: 'failed', failureClass: 'http5xx', status: 503 });
    expect(outcomes[2]).toMatchObject({ kind: 'failed', failureClass: 'malformedResponse' });
    // Job 2 never finishes: the answer never comes within requestTimeoutMs.
    expect(outcomes[4]).toMatchObject({ kind: 'failed', failureClass: 'timeout' });
  });

  it('reads processing time in ms and posts where configured', async () => {
    const { profile } = await setUp(
      { processingMs: 5 },
      { path: '/api/ocr/process_sync', processingTimeUnit: 'ms', fields: { lang: 'spa' } },
    );
    const outcome = await profile.submit(context!, uploadFiles(1));
    // The fake sends 0.005 (seconds); read as ms it is 0.005 ms: the setting is applied.
    expect(outcome.kind === 'completed' && outcome.results[0].processingMs).toBeCloseTo(0.005, 9);
    expect(server!.stats.uploads[0].fields).toEqual({ lang: 'spa' });
  });
});

describe('sync jobs through the load engine: upload is not OCR time', () => {
  const syncLoad = (url: string) =>
    driveEngine(url, {
      target: { url, profile: 'sync' },
      load: { model: 'closed', concurrency: 1, jobs: 4 },
    });

  it('with a processing time, upload is the request less processing', async () => {
    // No server timestamps: processing_time (250 ms) is all the service says.
    server = await startFakeOcrServer({ processingMs: 250, timestamps: false });
    const { records, collector } = await syncLoad(server.url);
    expect(records).toHaveLength(4);
    for (const record of records) {
      expect(record.fate).toBe('completed');
      expect(record.processingMs).toBe(250);
      expect(record.queueWaitMs).toBeUndefined();
      expect(record.resultFetchMs).toBe(0);
      expect(record.endToEndMs).toBeGreaterThanOrEqual(250);
      // End-to-end also holds the wait before the request left (startDelay, ocrbench's).
      expect(record.startDelayMs! + record.uploadMs!).toBeCloseTo(record.endToEndMs! - 250, 6);
      // A 64-byte upload on loopback: milliseconds, not the 250 ms of OCR.
      expect(record.uploadMs).toBeLessThan(100);
    }
    expect(collector.stages().upload!.maxMs).toBeLessThan(100);
    expect(collector.stages().processing!.p50Ms).toBeCloseTo(250, 0);
  });

  it('without one, the request cannot be split and stays upload', async () => {
    server = await startFakeOcrServer({
      processingMs: 150,
      timestamps: false,
      reportProcessingTime: false,
    });
    const { records } = await syncLoad(server.url);
    for (const record of records) {
      expect(record.processingMs).toBeUndefined();
      expect(record.timingSource).toBeUndefined();
      expect(record.startDelayMs! + record.uploadMs!).toBeCloseTo(record.endToEndMs!, 6);
      expect(record.uploadMs).toBeGreaterThanOrEqual(149);
    }
  });

  it('a processing time longer than the request is clamped to it and counted', async () => {
    server = await startFakeOcrServer({
      processingMs: 20,
      timestamps: false,
      misreport: () => ({ processing_time: 30 }),
    });
    const { records } = await syncLoad(server.url);
    for (const record of records) {
      expect(record.processingMs).toBe(record.endToEndMs);
      expect(record.uploadMs).toBe(0);
      expect(record.impossibleTimings).toEqual([
        expect.stringMatching(/^processing 30000 ms > end-to-end \d+ ms$/),
      ]);
    }
  });
});
