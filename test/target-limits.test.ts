import { afterEach, describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { startTarget } from '../src/target/index.ts';
import { get, ocrOne, upload, wordPng } from './target-kit.ts';

type Target = Awaited<ReturnType<typeof startTarget>>;
let target: Target | null = null;

afterEach(async () => {
  await target?.close();
  target = null;
});

describe('built-in target: defensive limits', () => {
  it('answers 413 above the size limit, 415 by content, 400 without files', async () => {
    target = await startTarget({ port: 0, workers: 1, languages: 'eng', maxUploadBytes: 1000 });
    const png = await wordPng('Big');
    expect(png.length).toBeGreaterThan(1000);
    const tooLarge = await upload(target.url, [{ filename: 'big.png', bytes: png }]);
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.json.error).toContain('big.png is over 1000 bytes');

    const text = Buffer.from('just some text, not an image');
    const refused = await upload(target.url, [{ filename: 'fake.png', bytes: text }]);
    expect(refused.status).toBe(415);
    expect(refused.json.error).toContain('fake.png is not PNG, JPEG, TIFF or PDF');

    const empty = await upload(target.url, []);
    expect(empty.status).toBe(400);

    const metrics = (await get(target.url, '/api/metrics')).json;
    expect(metrics.uploads_rejected).toEqual({ tooLarge: 1, unsupportedType: 1 });
    expect(metrics.jobs.completed + metrics.jobs.errors + metrics.queue_depth).toBe(0);
  });

  it('never uses the file name as a path', async () => {
    // temp-leak keeps the upload, so where it landed can be checked.
    target = await startTarget({ port: 0, workers: 1, languages: 'eng', faults: ['temp-leak'] });
    const bytes = await wordPng('Safe');
    const result = await ocrOne(target.url, { filename: '../../x.png', bytes });
    expect(result.status).toBe('completed');
    expect(result.filename).toBe('x.png');
    expect(readdirSync(target.uploadsDir)).toEqual([`${result.request_id}.png`]);
    expect(readdirSync(target.dataDir)).not.toContain('x.png');
    expect(readdirSync(dirname(target.dataDir))).not.toContain('x.png');
  });

  it('answers 429 with Retry-After when the queue is full', async () => {
    target = await startTarget({ port: 0, workers: 1, languages: 'eng', queueLimit: 2 });
    const bytes = await wordPng('Queue');
    const files = [1, 2, 3].map((n) => ({ filename: `${n}.png`, bytes }));
    const full = await upload(target.url, files);
    expect(full.status).toBe(429);
    expect(Number(full.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(full.json.error).toBe('queue full');
    // Two fit.
    const fits = await upload(target.url, files.slice(0, 2));
    expect(fits.status).toBe(202);
    const metrics = (await get(target.url, '/api/metrics')).json;
    expect(metrics.uploads_rejected.queueFull).toBe(1);
  });

  it('fails a corrupt image cleanly and the worker reads the next one', async () => {
    target = await startTarget({ port: 0, workers: 1, languages: 'eng' });
    const good = await wordPng('Again');
    const corrupt = Buffer.concat([good.subarray(0, 60), Buffer.alloc(300, 7)]);
    const broken = await ocrOne(target.url, { filename: 'corrupt.png', bytes: corrupt });
    expect(broken.status).toBe('error');
    expect(broken.error).toMatch(/could not read the image/);
    expect(broken.text).toBeNull();
    const next = await ocrOne(target.url, { filename: 'good.png', bytes: good });
    expect(next.status).toBe('completed');
    expect(next.text.trim()).toBe('Again');
    const jpegHead = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0, 1, 2, 3]);
    const badJpeg = await ocrOne(target.url, { filename: 'bad.jpg', bytes: jpegHead });
    expect(badJpeg.status).toBe('error');
    const last = await ocrOne(target.url, { filename: 'good.png', bytes: good });
    expect(last.text.trim()).toBe('Again');
  });
});
