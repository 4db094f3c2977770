import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { request } from 'undici';
import { spawnTarget, startTarget } from '../src/target/index.ts';
import {
  createTesseractJsEngine,
  offlineLanguageFolder,
} from '../src/target/engine-tesseractjs.ts';
import { get, ocrOne, upload } from './target-kit.ts';
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

describe('target faults: effects against a yardstick', () => {
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
