import { afterEach, describe, expect, it } from 'vitest';
import { availableParallelism } from 'node:os';
import { chmodSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { startTarget, type TargetOptions } from '../src/target/index.ts';
import { get, ocrOne, upload, waitResult, wordPng } from './target-kit.ts';

// For every fault: a short load with and without it, asserting the direction of the effect
// or, where a few tiny jobs cannot show it, that the mechanism is at work (its counter).

type Target = Awaited<ReturnType<typeof startTarget>>;
const started: Target[] = [];

afterEach(async () => {
  for (const target of started.splice(0)) await target.close();
});

async function target(options: Partial<TargetOptions>): Promise<Target> {
  const running = await startTarget({ port: 0, workers: 1, languages: 'eng', ...options });
  started.push(running);
  return running;
}

/** Runs `count` jobs one after another; returns their results and the metrics after. */
async function sequential(running: Target, bytes: Buffer, count: number) {
  const results = [];
  for (let n = 0; n < count; n++) {
    results.push(await ocrOne(running.url, { filename: `${n}.png`, bytes }));
  }
  return { results, metrics: (await get(running.url, '/api/metrics')).json };
}

/** Uploads `count` jobs at once; returns their results and the metrics after. */
async function together(running: Target, bytes: Buffer, count: number) {
  const files = Array.from({ length: count }, (_, n) => ({ filename: `${n}.png`, bytes }));
  const answer = await upload(running.url, files);
  const results = [];
  for (const id of answer.json.request_ids) results.push(await waitResult(running.url, id));
  return { results, metrics: (await get(running.url, '/api/metrics')).json };
}

const sum = (values: number[]) => values.reduce((total, v) => total + v, 0);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];
const seconds = (results: any[]) => results.map((r) => r.processing_time as number);

describe('built-in target faults', () => {
  it('reload-model adds at least the model load time to every job', async () => {
    const bytes = await wordPng('Reload');
    const plain = await target({});
    // Warm-up: a fresh engine's first page is slower (its WASM code is still being tiered
    // up), which is part of what reload-model costs, not of the baseline.
    await ocrOne(plain.url, { filename: 'warm.png', bytes });
    const without = await sequential(plain, bytes, 3);
    const withFault = await sequential(await target({ faults: ['reload-model'] }), bytes, 3);
    expect(without.metrics.fault_state.model_loads).toBe(1);
    expect(withFault.metrics.fault_state.model_loads).toBe(3);
    expect(without.results.map((r) => r.extraction_stats.model_load_time)).toEqual([
      null,
      null,
      null,
    ]);
    // Every job pays a model load inside its processing time, and is slower than any job
    // of the warm reference.
    for (const result of withFault.results) {
      const load = result.extraction_stats.model_load_time;
      expect(load).toBeGreaterThan(0.05);
      expect(result.processing_time).toBeGreaterThan(load);
      expect(result.processing_time).toBeGreaterThan(Math.max(...seconds(without.results)));
    }
    expect(withFault.results.map((r) => r.text.trim())).toEqual(['Reload', 'Reload', 'Reload']);
  });

  it('single-worker runs one job at a time whatever the setting', async () => {
    const bytes = await wordPng('Single');
    const without = await target({ workers: 2 });
    expect((await get(without.url, '/api/ocr/queue/status')).json.workers).toBe(2);
    const running = await target({ workers: 2, faults: ['single-worker'] });
    const { results, metrics } = await together(running, bytes, 4);
    expect(metrics.workers).toBe(1);
    expect(metrics.worker_busy_seconds).toHaveLength(1);
    const spans = results
      .map((r) => [Date.parse(r.started_at), Date.parse(r.finished_at)])
      .sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < spans.length; i++)
      expect(spans[i][0]).toBeGreaterThanOrEqual(spans[i - 1][1]);
  });

  it('oversubscribe starts twice the cores in tesseract.js workers', async () => {
    // The slowdown itself (about 2x per job on a quiet machine: 0.20 -> 0.43 s for a
    // three-line page) is too noisy to assert while other tests share the 2 cores.
    const cores = availableParallelism();
    const without = (await get((await target({ workers: cores })).url, '/api/metrics')).json;
    const running = await target({ workers: cores, faults: ['oversubscribe'] });
    const withFault = (await get(running.url, '/api/metrics')).json;
    expect(without.workers).toBe(cores);
    expect(withFault.workers).toBe(2 * cores);
    expect(withFault.fault_state.model_loads).toBe(2 * cores);
    const result = await ocrOne(running.url, { filename: 'a.png', bytes: await wordPng('Many') });
    expect(result.text.trim()).toBe('Many');
  });

  it('oversubscribe lifts OMP_THREAD_LIMIT from the tesseract command', async () => {
    // A stand-in `tesseract` first on PATH reports the thread limit it was given as its text.
    const bin = mkdtempSync(join(tmpdir(), 'ocrbench-fake-tesseract-'));
    const script = join(bin, 'tesseract');
    writeFileSync(
      script,
      '#!/bin/sh\ncat > /dev/null\nprintf "level\\n5\\t1\\t1\\t1\\t1\\t1\\t0\\t0\\t1\\t1' +
        '\\t90\\tOMP=%s\\n" "${OMP_THREAD_LIMIT:-unset}"\n',
    );
    chmodSync(script, 0o755);
    const path = process.env.PATH;
    process.env.PATH = `${bin}:${path}`;
    try {
      const bytes = await wordPng('Threads');
      const cli = { engine: 'tesseract-cli' as const, threadsPerWorker: 3 };
      const tuned = await target(cli);
      expect((await ocrOne(tuned.url, { filename: 'a.png', bytes })).text.trim()).toBe('OMP=3');
      const over = await target({ ...cli, faults: ['oversubscribe'] });
      const result = await ocrOne(over.url, { filename: 'a.png', bytes });
      expect(result.text.trim()).toBe('OMP=unset');
      const metrics = (await get(over.url, '/api/metrics')).json;
      // tesseract's own OpenMP team, whatever the core count (TESSERACT_CLI_MAX_THREADS).
      expect(metrics.threads_per_worker).toBe(4);
    } finally {
      process.env.PATH = path;
    }
  });

  it('sync-io writes upload, copy and result with flushed synchronous writes', async () => {
    const bytes = await wordPng('Sync');
    const without = await sequential(await target({}), bytes, 2);
    const running = await target({ faults: ['sync-io'] });
    const withFault = await sequential(running, bytes, 2);
    expect(without.metrics.fault_state.sync_writes).toBe(0);
    expect(withFault.metrics.fault_state.sync_writes).toBe(6);
    expect(withFault.metrics.fault_state.sync_write_ms).toBeGreaterThan(0);
    expect(readdirSync(running.resultsDir)).toHaveLength(2);
    expect(readdirSync(running.uploadsDir)).toHaveLength(0);
  });

  it('temp-leak keeps one upload per job and lists them all for every job', async () => {
    const bytes = await wordPng('Leak');
    const clean = await target({});
    await sequential(clean, bytes, 3);
    expect(readdirSync(clean.uploadsDir)).toHaveLength(0);
    const running = await target({ faults: ['temp-leak'] });
    for (let n = 1; n <= 3; n++) {
      await ocrOne(running.url, { filename: `${n}.png`, bytes });
      expect(readdirSync(running.uploadsDir)).toHaveLength(n);
      const metrics = (await get(running.url, '/api/metrics')).json;
      expect(metrics.fault_state.upload_folder_entries_listed).toBe(n);
    }
  });

  it('queue-lock takes the global lock for every file a job saves', async () => {
    const bytes = await wordPng('Lock');
    const without = await together(await target({ workers: 2 }), bytes, 4);
    const withFault = await together(
      await target({ workers: 2, faults: ['queue-lock'] }),
      bytes,
      4,
    );
    expect(without.metrics.fault_state.lock_acquired).toBe(0);
    // One upload and one result per job.
    expect(withFault.metrics.fault_state.lock_acquired).toBe(8);
    expect(withFault.metrics.fault_state.lock_waited_ms).toBeGreaterThanOrEqual(0);
  });

  it('event-loop-block scans uploads on the main thread, longer for larger images', async () => {
    const tiny = await wordPng('Block');
    const page = await sharp({
      create: { width: 1240, height: 1754, channels: 3, background: '#ffffff' },
    })
      .greyscale()
      .withDensity(150)
      .png()
      .toBuffer();
    const without = await sequential(await target({}), tiny, 1);
    expect(without.metrics.fault_state.event_loop_blocks).toBe(0);
    const running = await target({ faults: ['event-loop-block'] });
    const small = (await sequential(running, tiny, 1)).metrics.fault_state;
    const large = (await sequential(running, page, 1)).metrics.fault_state;
    expect(small.event_loop_blocks).toBe(1);
    expect(large.event_loop_blocks).toBe(2);
    const smallMs = small.event_loop_blocked_ms;
    const largeMs = large.event_loop_blocked_ms - smallMs;
    expect(smallMs).toBeGreaterThan(0);
    // 2.2 megapixels against 0.04: the block grows with the image.
    expect(largeMs).toBeGreaterThan(5 * smallMs);
  });

  it('memory-leak retains every upload', async () => {
    const bytes = await wordPng('Memory');
    const without = await sequential(await target({}), bytes, 2);
    const withFault = await sequential(await target({ faults: ['memory-leak'] }), bytes, 3);
    expect(without.metrics.fault_state.leaked_bytes).toBe(0);
    expect(withFault.metrics.fault_state.leaked_bytes).toBe(3 * bytes.length);
  });
});
