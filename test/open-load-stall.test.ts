import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { scenarioSchema, type ScenarioInput } from '../src/scenario/schema.ts';
import { driveEngine } from './helpers/drive-engine.ts';
import { quietGenerator } from './helpers/make-run.ts';
import { trialCaveats } from '../src/run/caveats.ts';

// A service that answers at once, except that every request arriving between STALL_AT_MS
// and STALL_AT_MS + STALL_MS after the first upload is held until the stall ends.
const STALL_AT_MS = 3000;
const STALL_MS = 2000;
const RATE = 20; // jobs/s
const SECONDS = 8;

let server: Server | null = null;

afterEach(async () => {
  await new Promise((done) => server?.close(done));
  server = null;
});

async function stallingServer(): Promise<string> {
  let firstUploadAt: number | null = null;
  let id = 0;
  server = createServer((request, response) => {
    const now = performance.now();
    if (request.method === 'POST' && firstUploadAt === null) firstUploadAt = now;
    const since = firstUploadAt === null ? -1 : now - firstUploadAt;
    const holdMs =
      since >= STALL_AT_MS && since < STALL_AT_MS + STALL_MS ? STALL_AT_MS + STALL_MS - since : 0;
    request.resume();
    request.on('end', () =>
      setTimeout(() => {
        response.setHeader('content-type', 'application/json');
        if (request.method === 'POST') {
          response.end(JSON.stringify({ request_ids: [String(++id)] }));
        } else {
          response.end(JSON.stringify({ status: 'completed', text: 'x', processing_time: 0.001 }));
        }
      }, holdMs),
    );
  });
  await new Promise<void>((done) => server!.listen(0, '127.0.0.1', done));
  return `http://127.0.0.1:${(server!.address() as { port: number }).port}`;
}

async function drive(load: ScenarioInput['load']) {
  const url = await stallingServer();
  const { collector } = await driveEngine(url, {
    load,
    poll: { intervalMs: 5, maxIntervalMs: 5 },
    uploads: { uniqueBytes: false },
    target: { connections: 256 },
  });
  return collector;
}

/** True end-to-end p99 of the open schedule: arrivals in the stall wait for its end. */
function trueP99Ms(): number {
  const latencies: number[] = [];
  for (let i = 0; i < RATE * SECONDS; i++) {
    const at = (i * 1000) / RATE;
    const inStall = at >= STALL_AT_MS && at < STALL_AT_MS + STALL_MS;
    latencies.push(inStall ? STALL_AT_MS + STALL_MS - at : 0);
  }
  latencies.sort((a, b) => a - b);
  return latencies[Math.ceil(0.99 * latencies.length) - 1];
}

describe('coordinated omission', () => {
  it('an open load reports the stall in p99 within 5% of the true value', async () => {
    const collector = await drive({ model: 'open', rate: RATE, durationSeconds: SECONDS });
    const counts = collector.counts();
    expect(counts.submitted).toBe(RATE * SECONDS);
    expect(counts.completed).toBe(RATE * SECONDS);
    const reported = collector.stages().endToEnd!.p99Ms;
    const truth = trueP99Ms();
    expect(truth).toBeGreaterThan(1500);
    // Loopback round trips add a few ms to every job; 5% of the true value bounds the rest.
    expect(Math.abs(reported - truth)).toBeLessThan(0.05 * truth + 20);
    // The median job never met the stall.
    expect(collector.stages().endToEnd!.p50Ms).toBeLessThan(100);
  });

  it('a closed load against the same stall hides it in the median-to-p99 spread', async () => {
    const collector = await drive({ model: 'closed', concurrency: 1, durationSeconds: SECONDS });
    const stages = collector.stages().endToEnd!;
    // One client waits through the stall once: a single slow job among many fast ones, so
    // p99 falls far below the open model's (this is why closed runs carry a caveat).
    expect(stages.maxMs).toBeGreaterThan(STALL_MS * 0.5);
    expect(stages.p99Ms).toBeLessThan(trueP99Ms() * 0.5);
    const caveats = trialCaveats({
      scenario: scenarioSchema.parse({
        name: 'c',
        dataset: { path: '.' },
        load: { model: 'closed', concurrency: 1, jobs: 1 },
      }),
      counts: collector.counts(),
      generator: quietGenerator(),
      records: [],
      nonUniqueFormats: [],
    });
    expect(caveats.map((caveat) => caveat.code)).toContain('closed-loop');
  });
});
