import { afterEach, describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { FormData, request } from 'undici';
import { FaultCounter, stallDelayMs } from './servers/faults.ts';
import { startFakeOcrServer, type FakeOcrServer } from './servers/fake-ocr-server.ts';

// The misbehaving-server kit is what the engine's tests stand on: check that it does what
// its options say.

let server: FakeOcrServer | null = null;

afterEach(async () => {
  await server?.close();
  server = null;
});

async function upload(url: string, files: number) {
  const form = new FormData();
  for (let index = 0; index < files; index++) {
    form.append('files', new Blob([Buffer.alloc(10)]), `f${index}.png`);
  }
  const response = await request(`${url}/api/ocr/process_image`, { method: 'POST', body: form });
  return { status: response.statusCode, body: await response.body.text() };
}

describe('fake OCR server', () => {
  it('answers 411 to a chunked upload when asked to, and accepts a sized one', async () => {
    server = await startFakeOcrServer({ requireContentLength: true });
    // A stream body of unknown length goes out chunked.
    const chunked = await request(`${server.url}/api/ocr/process_image`, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=x' },
      body: Readable.from([Buffer.from('--x--\r\n')]),
    });
    await chunked.body.dump();
    expect(chunked.statusCode).toBe(411);
    expect(server.stats.uploads[0].transferEncoding).toBe('chunked');
    expect(server.stats.uploads[0].contentLength).toBeUndefined();
    // undici 7.30 FormData with Blob parts does send Content-Length (measured here; the
    // field notes' "FormData is chunked" holds for parts of unknown length).
    const sized = await upload(server.url, 1);
    expect(sized.status).toBe(200);
    expect(Number(server.stats.uploads[1].contentLength)).toBe(server.stats.uploads[1].bodyBytes);
    expect(server.stats.jobs).toBe(1);
  });

  it('queues jobs first-in first-out on its workers', async () => {
    server = await startFakeOcrServer({ workers: 2, processingMs: (job) => job.index * 100 });
    await upload(server.url, 4);
    const jobs = [...server.jobs.values()];
    const enqueued = jobs[0].enqueuedAtMs;
    // Jobs take 100, 200, 300, 400 ms; job 3 waits for job 1, job 4 for job 2.
    expect(jobs.map((job) => job.startedAtMs - enqueued)).toEqual([0, 0, 100, 200]);
    expect(jobs.map((job) => job.finishedAtMs - enqueued)).toEqual([100, 200, 400, 600]);
    const queue = await request(`${server.url}/api/ocr/queue/status`);
    expect(await queue.body.json()).toEqual({
      queue_status: { pending: 2, processing: 2, completed: 0, errors: 0 },
    });
  });

  it('counts faults per request on their route, deterministically', () => {
    const everyThird = new FaultCounter({ every: 3, on: 'poll' });
    const hits = ['poll', 'submit', 'poll', 'poll', 'poll', 'poll', 'poll'].map((route) =>
      everyThird.hit(route as 'poll' | 'submit'),
    );
    expect(hits).toEqual([false, false, false, true, false, false, true]);
    const bare = new FaultCounter(2);
    expect([bare.hit('poll'), bare.hit('submit'), bare.hit('submit')]).toEqual([
      false,
      false,
      true,
    ]);
  });

  it('holds requests arriving in a stall window until it ends', () => {
    const windows = [{ atMs: 1000, forMs: 500 }];
    expect(stallDelayMs(windows, 999)).toBe(0);
    expect(stallDelayMs(windows, 1000)).toBe(500);
    expect(stallDelayMs(windows, 1400)).toBe(100);
    expect(stallDelayMs(windows, 1500)).toBe(0);
  });

  it('counts requests by route and answers unknown paths 404', async () => {
    server = await startFakeOcrServer();
    await upload(server.url, 2);
    const other = await request(`${server.url}/nothing/here`);
    await other.body.dump();
    expect(other.statusCode).toBe(404);
    expect(server.stats.requests).toEqual({ upload: 1, other: 1 });
    expect(server.stats.uploads[0].files.map((file) => file.name)).toEqual(['f0.png', 'f1.png']);
  });
});
