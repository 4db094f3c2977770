import { createWriteStream, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Pool } from 'undici';
import { startFakeOcrServer, type FakeOcrServer } from './servers/fake-ocr-server.ts';
import { tinyDocument } from './helpers/drive-engine.ts';
import { runTrial } from '../src/run/trial.ts';
import { emptyJobCounts, summarise } from '../src/record/summary.ts';
import { getProfile } from '../src/profiles/index.ts';
import { scenarioSchema, type ScenarioInput } from '../src/scenario/schema.ts';
import { seededRandom } from '../src/util/random.ts';
import type { TrialResult } from '../src/record/run-file.ts';

// Submitted throughput is the rate the load offered: jobs over the submission window, not
// over a trial stretched by the drain. Completed throughput stays over the whole trial.

let server: FakeOcrServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

/** One real trial (the run pipeline's runTrial) against the fake server. */
async function trial(load: ScenarioInput['load'], warmup = 0): Promise<TrialResult> {
  const scenario = scenarioSchema.parse({
    name: 'throughput',
    dataset: { path: '.' },
    load,
    warmup: { jobs: warmup },
    poll: { intervalMs: 20, maxIntervalMs: 20 },
    observe: { queue: false, host: false, metricsPath: null, intervalMs: 200 },
  });
  const pool = new Pool(server!.url, { connections: 16 });
  const context = { baseUrl: new URL(server!.url), dispatcher: pool, headers: {} };
  const folder = mkdtempSync(join(tmpdir(), 'ocrbench-throughput-'));
  const jobsLog = createWriteStream(join(folder, 'jobs.ndjson'));
  try {
    return await runTrial({
      index: 0,
      scenario,
      profile: getProfile('ocrlotes', scenario.target),
      uploadContext: { ...context, requestTimeoutMs: 10_000 },
      pollContext: { ...context, requestTimeoutMs: 10_000 },
      picker: { documents: [tinyDocument], pick: () => tinyDocument },
      random: seededRandom(1),
      signal: new AbortController().signal,
      jobsLog,
      watch: { pids: [], folders: [], resultsFolder: null },
    });
  } finally {
    await new Promise<void>((done) => jobsLog.end(done));
    await pool.close();
  }
}

describe('throughput windows', () => {
  it('reports an open load of 4 jobs/s as 4 submitted/s, however long the drain', async () => {
    // Each job takes 1.5 s: the last, sent at 1.75 s, finishes near 3.3 s. Before, 8 jobs
    // over that whole trial read as about 2.4 submitted/s for 4 offered.
    server = await startFakeOcrServer({ processingMs: 1500 });
    const result = await trial({ model: 'open', rate: 4, durationSeconds: 2 });
    expect(result.jobs).toMatchObject({ submitted: 8, completed: 8 });
    const throughput = result.throughput;
    // The window: from the measured start (0) to the end of the 2 s load, s.
    expect(throughput.submissionSeconds).toBeCloseTo(2, 2);
    expect(throughput.submittedPerSecond).toBeCloseTo(4, 2);
    // Completed: over the whole measured trial, drain included.
    expect(throughput.measuredSeconds).toBeGreaterThan(3.25);
    expect(throughput.completedPerSecond).toBeCloseTo(8 / throughput.measuredSeconds!, 6);
    expect(throughput.completedPerSecond).toBeLessThan(throughput.submittedPerSecond);

    // Merged trials keep each window: still 4 submitted/s.
    const merged = summarise([result, { ...result, index: 1 }], []).throughput;
    expect(merged.submittedPerSecond).toBeCloseTo(4, 2);
    expect(merged.submissionSeconds).toBeCloseTo(2 * throughput.submissionSeconds!, 6);
    expect(merged.completedPerSecond).toBeCloseTo(throughput.completedPerSecond, 6);
  });

  it('ends the window where the job limit turned the next arrival away', async () => {
    server = await startFakeOcrServer({ processingMs: 500 });
    // 10 jobs/s, 6 jobs: the 7th arrival, at 600 ms, is the first left out.
    const result = await trial({ model: 'open', rate: 10, jobs: 6 }, 2);
    expect(result.jobs.submitted).toBe(6);
    expect(result.warmupJobs).toBe(2);
    expect(result.throughput.submissionSeconds).toBeCloseTo(0.6, 3);
    expect(result.throughput.submittedPerSecond).toBeCloseTo(10, 1);
  });

  it('derives the windows of older run files from their rates', () => {
    const old = {
      index: 0,
      durationSeconds: 10,
      warmupJobs: 0,
      jobs: { ...emptyJobCounts(), submitted: 20, completed: 20 },
      throughput: { submittedPerSecond: 4, completedPerSecond: 2, series: emptySeries() },
      bySizeClass: {},
      stages: {},
      accuracy: null,
      caveats: [],
    } as unknown as TrialResult;
    const merged = summarise([old], []);
    // 20 jobs at 4/s: a 5 s submission window; at 2/s: a 10 s trial.
    expect(merged.throughput.submittedPerSecond).toBe(4);
    expect(merged.throughput.completedPerSecond).toBe(2);
  });
});

function emptySeries() {
  return { tSeconds: [], submitted: [], completed: [], failed: [] };
}
