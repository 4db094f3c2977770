import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTarget } from '../src/target/index.ts';
import { get, ocrOne, upload, waitResult, wordPng } from './target-kit.ts';

type Target = Awaited<ReturnType<typeof startTarget>>;
let target: Target | null = null;

afterEach(async () => {
  await target?.close();
  target = null;
});

const ISO_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe('built-in target: the ocrlotes API', () => {
  it('answers 404 while pending, then 200 with the text, and writes the result file', async () => {
    target = await startTarget({ port: 0, workers: 1 });
    const [hello, world] = [await wordPng('Hello'), await wordPng('World')];
    const answer = await upload(target.url, [
      { filename: 'hello.png', bytes: hello },
      { filename: 'world.png', bytes: world },
    ]);
    expect(answer.status).toBe(202);
    const ids: string[] = answer.json.request_ids;
    expect(ids).toHaveLength(2);
    expect(answer.json.files).toEqual([
      { request_id: ids[0], filename: 'hello.png' },
      { request_id: ids[1], filename: 'world.png' },
    ]);

    // One worker: the second job is still queued or processing right after the upload.
    const early = await get(target.url, `/api/ocr/result/${ids[1]}`);
    expect(early.status).toBe(404);
    expect(['queued', 'processing']).toContain(early.json.status);

    const first = await waitResult(target.url, ids[0]);
    const second = await waitResult(target.url, ids[1]);
    expect(first.text.trim()).toBe('Hello');
    expect(second.text.trim()).toBe('World');
    expect(first).toMatchObject({ request_id: ids[0], filename: 'hello.png', status: 'completed' });
    expect(first.error).toBeNull();
    expect(first.confidence).toBeGreaterThan(50);
    expect(first.confidence).toBeLessThanOrEqual(100);
    expect(first.processing_time).toBeGreaterThan(0);
    for (const field of ['enqueued_at', 'started_at', 'finished_at']) {
      expect(first[field]).toMatch(ISO_MS);
    }
    expect(Date.parse(first.started_at)).toBeGreaterThanOrEqual(Date.parse(first.enqueued_at));
    expect(Date.parse(first.finished_at)).toBeGreaterThanOrEqual(Date.parse(first.started_at));
    // Queue wait of the second job covers the first job's processing.
    expect(Date.parse(second.started_at)).toBeGreaterThanOrEqual(Date.parse(first.finished_at));

    const file = join(target.resultsDir, `resultados_ocr_${ids[0]}.json`);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(first);
    // Processed uploads are removed.
    expect(existsSync(join(target.uploadsDir, `${ids[0]}.png`))).toBe(false);

    const unknown = await get(target.url, '/api/ocr/result/nope');
    expect(unknown.status).toBe(404);
    expect(unknown.json).toEqual({ status: 'unknown', error: 'unknown request id' });
  });

  it('counts jobs in the queue status and in metrics, JSON and Prometheus', async () => {
    target = await startTarget({ port: 0, workers: 1, languages: 'eng' });
    const bytes = await wordPng('Metrics');
    await ocrOne(target.url, { filename: 'a.png', bytes });
    await ocrOne(target.url, { filename: 'b.png', bytes: Buffer.concat([bytes.subarray(0, 40)]) });

    const status = await get(target.url, '/api/ocr/queue/status');
    expect(status.json).toEqual({
      queue_status: { pending: 0, processing: 0, completed: 1, errors: 1 },
      workers: 1,
    });

    const metrics = (await get(target.url, '/api/metrics')).json;
    expect(metrics).toMatchObject({
      queue_depth: 0,
      jobs: { pending: 0, processing: 0, completed: 1, errors: 1 },
      workers: 1,
      threads_per_worker: 1,
      engine: 'tesseract.js',
      languages: 'eng',
      faults: [],
    });
    expect(metrics.processing_time_seconds.count).toBe(2);
    expect(metrics.processing_time_seconds.buckets['120']).toBe(2);
    expect(metrics.worker_busy_seconds).toHaveLength(1);
    expect(metrics.worker_busy_seconds[0]).toBeGreaterThan(0);
    expect(metrics.fault_state.model_loads).toBe(1);
    expect(metrics.uptime_seconds).toBeGreaterThan(0);
    expect(metrics.memory.rss_bytes).toBeGreaterThan(10 * 2 ** 20);

    for (const [path, headers] of [
      ['/api/metrics', { accept: 'text/plain' }],
      ['/api/metrics?format=prometheus', {}],
    ] as const) {
      const text = await get(target.url, path, headers);
      expect(text.headers['content-type']).toMatch(/^text\/plain/);
      const lines = text.text.split('\n');
      expect(lines).toContain('ocr_workers 1');
      expect(lines).toContain('ocr_queue_depth 0');
      expect(lines).toContain('ocr_jobs{state="completed"} 1');
      expect(lines).toContain('ocr_jobs{state="error"} 1');
      expect(lines).toContain('ocr_processing_seconds_bucket{le="+Inf"} 2');
      expect(lines).toContain('ocr_processing_seconds_count 2');
      expect(lines).toContain('ocr_threads_per_worker 1');
      expect(lines).toContain('ocr_target_info{engine="tesseract.js",languages="eng",faults=""} 1');
      expect(text.text).toMatch(/^ocr_worker_busy_seconds_total\{worker="0"\} [\d.]+$/m);
      expect(text.text).toMatch(/^process_resident_memory_bytes \d+$/m);
    }
  });

  it('runs the batch flow and writes resultados_BATCH_<id>.json', async () => {
    target = await startTarget({ port: 0, workers: 2, languages: 'eng' });
    const files = [
      { filename: 'one.png', bytes: await wordPng('One') },
      { filename: 'two.png', bytes: await wordPng('Two') },
      { filename: 'bad.png', bytes: Buffer.from('\x89PNG\r\n\x1a\nbroken', 'latin1') },
    ];
    const answer = await upload(target.url, files, '/api/ocr/process_batch');
    expect(answer.status).toBe(202);
    expect(answer.json.total).toBe(3);
    const batchId: string = answer.json.batch_id;

    let status = (await get(target.url, `/api/ocr/batch_status/${batchId}`)).json;
    for (let poll = 0; status.status !== 'completed' && poll < 2000; poll++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      status = (await get(target.url, `/api/ocr/batch_status/${batchId}`)).json;
    }
    expect(status).toEqual({
      batch_id: batchId,
      status: 'completed',
      total: 3,
      completed: 2,
      errors: 1,
      progress: 1,
    });

    const results = await get(target.url, `/api/ocr/batch_results/${batchId}`);
    expect(results.status).toBe(200);
    const entries = results.json.results;
    expect(entries.map((e: any) => e.filename)).toEqual(['one.png', 'two.png', 'bad.png']);
    expect(entries.map((e: any) => e.status)).toEqual(['completed', 'completed', 'error']);
    expect(entries[0].text.trim()).toBe('One');
    expect(entries[1].text.trim()).toBe('Two');
    for (const entry of entries) {
      expect(entry.extraction_stats.processing_time).toBe(entry.processing_time);
      expect(entry.processing_time).toBeGreaterThan(0);
    }
    const file = join(target.resultsDir, `resultados_BATCH_${batchId}.json`);
    const written = JSON.parse(readFileSync(file, 'utf8'));
    expect(written).toEqual({ batch_id: batchId, results: entries });

    const unknown = await get(target.url, '/api/ocr/batch_status/nope');
    expect(unknown.status).toBe(404);
  });
});
