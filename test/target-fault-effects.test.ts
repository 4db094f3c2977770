import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { readdirSync } from 'node:fs';
import sharp from 'sharp';
import { sampleRankCorrelation } from 'simple-statistics';
import { request } from 'undici';
import { spawnTarget, startTarget, type TargetOptions } from '../src/target/index.ts';
import {
  createTesseractJsEngine,
  offlineLanguageFolder,
} from '../src/target/engine-tesseractjs.ts';
import { get, ocrOne, upload, waitResult } from './target-kit.ts';
import { linesPng } from './helpers/target-images.ts';

// Effects measured against an independent yardstick (target-faults.test.ts checks the
// mechanisms): a model load timed outside the target, a status request timed by a client
// in another process than the target.

const started: Array<{ close(): Promise<void> }> = [];

afterEach(async () => {
  for (const target of started.splice(0)) await target.close();
});

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;

/** The quickest of `count` tesseract.js model loads, timed here with a fresh engine, s. */
async function measuredModelLoad(languages: string, count: number): Promise<number> {
  const folder = mkdtempSync(join(tmpdir(), 'ocrbench-load-'));
  const loads: number[] = [];
  try {
    for (let n = 0; n < count; n++) {
      const from = performance.now();
      const engine = await createTesseractJsEngine(
        languages,
        offlineLanguageFolder(languages, folder),
      );
      loads.push((performance.now() - from) / 1000);
      await engine.close();
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  return Math.min(...loads);
}

function chunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const frame = Buffer.alloc(12 + data.length);
  frame.writeUInt32BE(data.length, 0);
  body.copy(frame, 4);
  frame.writeUInt32BE(crc32(body), 8 + data.length);
  return frame;
}

/**
 * A PNG of `side` x `side` blank grey pixels (a few KB compressed, side² bytes inflated)
 * whose header names bit depth 3, which no decoder accepts: the engine fails it at once,
 * so the only heavy work is the fault's scan of the inflated pixels.
 */
function hugeUnreadablePng(side: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(side, 0);
  header.writeUInt32BE(side, 4);
  header[8] = 3; // bit depth: invalid for greyscale
  const pixels = deflateSync(Buffer.alloc((side + 1) * side, 0), { level: 9 });
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', pixels),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * Uploads `bytes` while polling the queue status back to back; returns the slowest status
 * answer seen, ms. The client runs in this process, the target in a child.
 */
async function slowestStatusDuringUpload(url: string, bytes: Buffer): Promise<number> {
  let uploading = true;
  const sending = upload(url, [{ filename: 'huge.png', bytes }]).finally(() => {
    uploading = false;
  });
  let slowest = 0;
  // Bounded by count; polls go on a little after the upload answered.
  for (let poll = 0, after = 0; poll < 20_000 && after < 5; poll++) {
    const from = performance.now();
    const response = await request(`${url}/api/ocr/queue/status`);
    await response.body.text();
    slowest = Math.max(slowest, performance.now() - from);
    if (!uploading) after++;
  }
  expect((await sending).status).toBe(202);
  return slowest;
}

/** Sends `count` copies of `bytes` as one batch and waits for it (bounded polls). */
async function batch(url: string, bytes: Buffer, count: number): Promise<any[]> {
  const files = Array.from({ length: count }, (_, n) => ({ filename: `${n}.png`, bytes }));
  const created = await upload(url, files, '/api/ocr/process_batch');
  expect(created.status).toBe(202);
  for (let poll = 0; poll < 3000; poll++) {
    const status = await get(url, `/api/ocr/batch_status/${created.json.batch_id}`);
    if (status.json.status === 'completed') break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return (await get(url, `/api/ocr/batch_results/${created.json.batch_id}`)).json.results;
}

/**
 * Runs `groups` batches of `perBatch` tiny jobs one after another on one worker; returns
 * every job's processing time in order (s), and the upload folder's size after each batch.
 */
async function pileUp(options: Partial<TargetOptions>, groups: number, perBatch: number) {
  // A blank 16 x 16 page: under a millisecond of OCR, so a cost that grows with the
  // folder is not lost in the engine's own variation.
  const blank = await sharp({
    create: { width: 16, height: 16, channels: 3, background: '#ffffff' },
  })
    .greyscale()
    .withDensity(150)
    .png()
    .toBuffer();
  const target = await startTarget({ port: 0, workers: 1, languages: 'eng', ...options });
  started.push(target);
  const seconds: number[] = [];
  const folderSizes: number[] = [];
  const listed: number[] = [];
  for (let group = 0; group < groups; group++) {
    const results = await batch(target.url, blank, perBatch);
    expect(results.every((result) => result.status === 'completed')).toBe(true);
    seconds.push(...results.map((result) => result.processing_time as number));
    folderSizes.push(readdirSync(target.uploadsDir).length);
    listed.push(
      (await get(target.url, '/api/metrics')).json.fault_state.upload_folder_entries_listed,
    );
  }
  await target.close();
  return { seconds, folderSizes, listed };
}

const medianOf = (values: number[]) => median(values);

describe('target faults: effects against a yardstick', () => {
  it('temp-leak: the folder grows by one file per job and processing time trends up', async () => {
    const groups = 8;
    const perBatch = 100;
    const plain = await pileUp({}, groups, perBatch);
    const leak = await pileUp({ faults: ['temp-leak'] }, groups, perBatch);

    // The mechanism: one more upload kept per job, and the last job of each batch listed
    // them all (the batch's files are saved before its first job starts).
    const expected = Array.from({ length: groups }, (_, group) => (group + 1) * perBatch);
    expect(leak.folderSizes).toEqual(expected);
    expect(leak.listed).toEqual(expected);
    expect(plain.folderSizes).toEqual(new Array(groups).fill(0));

    // The effect, by rank, so a neighbour's burst of CPU only moves a few points: with the
    // fault processing time rises with the job's position (Spearman's rho well above 0),
    // without it it does not rise as much; and the last batch is slower than the first.
    const index = leak.seconds.map((_, n) => n);
    const rhoLeak = sampleRankCorrelation(index, leak.seconds);
    const rhoPlain = sampleRankCorrelation(index, plain.seconds);
    expect(rhoLeak).toBeGreaterThan(0.4);
    expect(rhoLeak).toBeGreaterThan(rhoPlain);
    const first = medianOf(leak.seconds.slice(0, perBatch));
    const last = medianOf(leak.seconds.slice(-perBatch));
    expect(last).toBeGreaterThan(first);
  }, 120_000);

  it('queue-lock: workers take turns for a whole job, and wait for each other', async () => {
    const image = await linesPng(['Lock 1234', 'queue 5678']);
    const run = async (faults: TargetOptions['faults']) => {
      const target = await startTarget({ port: 0, workers: 2, languages: 'eng', faults });
      started.push(target);
      const files = Array.from({ length: 4 }, (_, n) => ({ filename: `${n}.png`, bytes: image }));
      const answer = await upload(target.url, files);
      const results = [];
      for (const id of answer.json.request_ids) results.push(await waitResult(target.url, id));
      const metrics = (await get(target.url, '/api/metrics')).json;
      await target.close();
      return { results, metrics };
    };
    const plain = await run([]);
    const locked = await run(['queue-lock']);
    for (const { results } of [plain, locked]) {
      expect(results.map((r) => r.status)).toEqual(new Array(4).fill('completed'));
    }

    // Without the lock the two workers read at the same time: the first two jobs, taken
    // together, overlap.
    const spans = (results: any[], fromLock: boolean) =>
      results
        .map((r) => [
          Date.parse(r.started_at) + (fromLock ? r.extraction_stats.lock_wait_time * 1000 : 0),
          Date.parse(r.finished_at),
        ])
        .sort((a, b) => a[0]! - b[0]!);
    const open = spans(plain.results, false);
    expect(open[1]![0]).toBeLessThan(open[0]![1]!);
    expect(plain.results.map((r) => r.extraction_stats.lock_wait_time)).toEqual([
      null,
      null,
      null,
      null,
    ]);
    expect(plain.metrics.fault_state.lock_acquired).toBe(0);

    // With it, each job's work (from getting the lock to its result) starts after the
    // previous one's ended: one job at a time whatever the worker count (2 ms of slack for
    // the whole-ms timestamps the times are made of).
    const turns = spans(locked.results, true);
    for (let n = 1; n < turns.length; n++) {
      expect(turns[n]![0]).toBeGreaterThanOrEqual(turns[n - 1]![1]! - 2);
    }
    // And the waiting is real: serialised, three of four jobs wait for about a whole job
    // each, so the waits add up to a good part of the work done.
    const waits = locked.results.map((r) => r.extraction_stats.lock_wait_time as number);
    const work = locked.results.map((r, n) => (r.processing_time as number) - waits[n]!);
    const sum = (values: number[]) => values.reduce((total, v) => total + v, 0);
    expect(sum(waits)).toBeGreaterThan(0.4 * sum(work));
    expect(locked.metrics.fault_state.lock_contended).toBeGreaterThanOrEqual(2);
    // One lock per upload and one per job.
    expect(locked.metrics.fault_state.lock_acquired).toBe(8);
  }, 120_000);

  it('reload-model adds at least a measured model load to every job', async () => {
    const image = await linesPng(['Reload 1234']);
    const plain = await startTarget({ port: 0, workers: 1, languages: 'eng' });
    started.push(plain);
    const baseline: number[] = [];
    for (let n = 0; n < 3; n++) {
      baseline.push((await ocrOne(plain.url, { filename: 'a.png', bytes: image })).processing_time);
    }
    await plain.close();

    const reload = await startTarget({
      port: 0,
      workers: 1,
      languages: 'eng',
      faults: ['reload-model'],
    });
    started.push(reload);
    const withFault: number[] = [];
    for (let n = 0; n < 3; n++) {
      const result = await ocrOne(reload.url, { filename: 'a.png', bytes: image });
      expect(result.text).toContain('Reload');
      withFault.push(result.processing_time);
    }
    await reload.close();

    const load = await measuredModelLoad('eng', 3);
    expect(load).toBeGreaterThan(0.05);
    // Every job: at least (most of) a fresh model load on top of the plain OCR time. 0.75
    // leaves room for a load measured while the machine was busier than during the jobs.
    for (const seconds of withFault) {
      expect(seconds - median(baseline)).toBeGreaterThan(0.75 * load);
    }
  });

  it('event-loop-block delays a concurrent status request while an upload is scanned', async () => {
    // 6000 x 6000 = 36 MB of pixels to inflate and scan twice on the main thread.
    const huge = hugeUnreadablePng(6000);
    expect(huge.length).toBeLessThan(200_000);

    const plain = await spawnTarget({ port: 0, workers: 1, languages: 'eng' });
    started.push(plain);
    const slowestWithout = await slowestStatusDuringUpload(plain.url, huge);
    await plain.close();

    const blocking = await spawnTarget({
      port: 0,
      workers: 1,
      languages: 'eng',
      faults: ['event-loop-block'],
    });
    started.push(blocking);
    const slowestWith = await slowestStatusDuringUpload(blocking.url, huge);
    const state = (await get(blocking.url, '/api/metrics')).json.fault_state;
    expect(state.event_loop_blocks).toBe(1);
    expect(state.event_loop_blocked_ms).toBeGreaterThan(20);

    // A status request that arrived during the scan waited for it: the slowest answer is
    // a good part of the block, and several times the slowest one without the fault.
    expect(slowestWith).toBeGreaterThan(0.5 * state.event_loop_blocked_ms);
    expect(slowestWith).toBeGreaterThan(3 * slowestWithout);
  });
});
