import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startObservation, type ObserveOptions } from '../src/observe/index.ts';
import { countFolder } from '../src/observe/folders.ts';
import type { QueueStatus } from '../src/profiles/profile.ts';

const servers: Server[] = [];
const folders: string[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) {
    await new Promise((done) => server.close(done));
  }
  for (const folder of folders.splice(0)) await rm(folder, { recursive: true, force: true });
});

function options(overrides: Partial<ObserveOptions>): ObserveOptions {
  return {
    intervalMs: 100,
    startedAtMs: performance.now(),
    queueStatus: null,
    metricsUrl: null,
    processes: null,
    host: false,
    folders: [],
    resultsFolder: null,
    ...overrides,
  };
}

/** A loopback service whose queue grows by 3 and completes 1 job per status read. */
async function growingQueueServer(): Promise<string> {
  let reads = 0;
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/api/metrics') {
      res.end(JSON.stringify({ reads }));
      return;
    }
    reads++;
    const queue = { pending: 2 * reads, processing: 1, completed: reads, errors: 0 };
    const body = { queue_status: queue };
    res.end(JSON.stringify(body));
  });
  servers.push(server);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function readQueue(base: string): Promise<QueueStatus | null> {
  const response = await request(`${base}/api/ocr/queue/status`);
  const body = (await response.body.json()) as { queue_status: QueueStatus };
  return body.queue_status;
}

async function temporaryFolder(): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'ocrbench-observe-'));
  folders.push(folder);
  return folder;
}

describe('queue and metrics sampling', () => {
  it('records a growing queue from a loopback endpoint, and metrics at both ends', async () => {
    const base = await growingQueueServer();
    const observation = startObservation(
      options({ queueStatus: () => readQueue(base), metricsUrl: `${base}/api/metrics` }),
    );
    await sleep(550);
    const { queue, metrics } = await observation.stop();
    const pending = queue?.pending ?? [];
    expect(pending.length).toBeGreaterThanOrEqual(4);
    // Each read sees the next step: pending 2, 4, 6 ... and completed 1, 2, 3 ...
    expect(pending).toEqual(pending.map((_, index) => 2 * (index + 1)));
    expect(queue?.completed).toEqual(pending.map((_, index) => index + 1));
    expect(queue?.tSeconds.every((t, i, all) => i === 0 || t > all[i - 1])).toBe(true);
    // The first metrics fetch races the first queue read: it saw 0 or 1 reads.
    expect((metrics?.first as { reads: number }).reads).toBeLessThanOrEqual(1);
    expect((metrics?.last as { reads: number }).reads).toBe(pending.length);
    expect(observation.caveats()).toEqual([]);
  });

  it('counts a dead queue endpoint instead of throwing', async () => {
    const observation = startObservation(
      options({
        queueStatus: () => readQueue('http://127.0.0.1:9'),
        metricsUrl: 'http://127.0.0.1:9/api/metrics',
      }),
    );
    await sleep(350);
    const { queue, metrics } = await observation.stop();
    expect(queue?.tSeconds).toEqual([]);
    expect(metrics).toEqual({ first: null, last: null });
    const codes = observation.caveats().map((caveat) => caveat.code);
    expect(codes).toContain('observe-queue-failures');
    expect(codes).toContain('observe-metrics-unavailable');
  });

  it('skips ticks while a slow sample runs, and says so', async () => {
    let calls = 0;
    const slow = async (): Promise<QueueStatus> => {
      calls++;
      await sleep(350);
      return { pending: 0, processing: 0, completed: 0, errors: 0 };
    };
    const observation = startObservation(options({ queueStatus: slow }));
    await sleep(500);
    await observation.stop();
    // 100 ms ticks over ~500 ms, but never two reads at once: first, one more, final.
    expect(calls).toBeLessThanOrEqual(3);
    const skipped = observation.caveats().find((c) => c.code === 'observe-skipped-samples');
    expect(skipped?.message).toMatch(/queue sampler skipped [1-9]/);
  });
});

describe('bad options', () => {
  it('drops an invalid process pattern with a caveat instead of throwing', async () => {
    const observation = startObservation(
      options({ processes: { pids: [process.pid], commandPattern: 'gunicorn(' } }),
    );
    const { processes } = await observation.stop();
    expect(processes?.selector).toBe(`pid ${process.pid} and children`);
    expect(observation.caveats().map((caveat) => caveat.code)).toEqual(['observe-bad-pattern']);
  });
});

describe('folder sampling', () => {
  it('counts files and bytes recursively as a folder fills', async () => {
    const folder = await temporaryFolder();
    await mkdir(join(folder, 'nested'));
    const observation = startObservation(options({ folders: [folder, join(folder, 'none')] }));
    for (let index = 0; index < 5; index++) {
      await writeFile(join(folder, index % 2 ? 'nested' : '.', `f${index}.bin`), 'x'.repeat(100));
      await sleep(60);
    }
    const observations = await observation.stop();
    const [filled, missing] = observations.folders;
    expect(filled.files.at(-1)).toBe(5);
    expect(filled.bytes.at(-1)).toBe(500);
    expect(filled.files[0]).toBeLessThan(5);
    expect(missing.files.every((count) => count === 0)).toBe(true);
    expect(missing.bytes.every((count) => count === 0)).toBe(true);
  });

  it('stops at the entry cap and reports the walk as capped', async () => {
    const folder = await temporaryFolder();
    for (let index = 0; index < 12; index++) await writeFile(join(folder, `${index}`), 'ab');
    expect(await countFolder(folder, 10)).toEqual({ files: 10, bytes: 20, capped: true });
    expect(await countFolder(folder)).toEqual({ files: 12, bytes: 24, capped: false });
  });
});
