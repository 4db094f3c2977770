import { afterEach, describe, expect, it } from 'vitest';
import { getProfile } from '../src/profiles/index.ts';
import type { JobHandle } from '../src/profiles/profile.ts';
import { startFakeOcrServer, type FakeOcrServer } from './servers/fake-ocr-server.ts';
import { contextFor, pollUntilSettled, uploadFiles } from './servers/profile-driver.ts';

let server: FakeOcrServer | null = null;
let context: ReturnType<typeof contextFor> | null = null;

afterEach(async () => {
  await context?.close();
  await server?.close();
  server = null;
  context = null;
});

async function setUp(options: Parameters<typeof startFakeOcrServer>[0] = {}) {
  server = await startFakeOcrServer(options);
  context = contextFor(server.url);
  return { server, context, profile: getProfile('ocrlotes', {}) };
}

async function submitHandles(count: number): Promise<JobHandle[]> {
  const profile = getProfile('ocrlotes', {});
  const outcome = await profile.submit(context!, uploadFiles(count));
  if (outcome.kind !== 'accepted') throw new Error(`not accepted: ${JSON.stringify(outcome)}`);
  return outcome.handles;
}

describe('ocrlotes profile against the fake service', () => {
  it('submits, sees queued then processing, and reads the result with server times', async () => {
    const { server, profile } = await setUp({ processingMs: 200, workers: 1, text: 'hola' });
    const [first, second] = await submitHandles(2);
    expect([first.jobId, second.jobId]).toEqual(['job-1', 'job-2']);
    const settled = await pollUntilSettled(profile, context!, second);
    expect(settled.pendingStates[0]).toBe('queued');
    expect(settled.pendingStates).toContain('processing');
    expect(settled.outcome.kind).toBe('done');
    if (settled.outcome.kind !== 'done') return;
    const { result } = settled.outcome;
    const job = server.jobs.get('job-2')!;
    expect(result.text).toBe('hola');
    expect(result.processingMs).toBe(200);
    expect(result.enqueuedAtMs).toBe(job.enqueuedAtMs);
    // One worker: the second job waits for the first (200 ms, long enough that polls
    // every 10 ms see it queued and then processing even on a busy machine).
    expect(result.startedAtMs! - result.enqueuedAtMs!).toBe(200);
    expect(result.finishedAtMs! - result.startedAtMs!).toBe(200);
    expect(profile.serverTimestamps).toBe(true);
  });

  it('reports a failed job, a vanished job and a bare 404', async () => {
    const { profile } = await setUp({
      failEvery: 2,
      vanish: (job) => job.index === 3,
      processingMs: 5,
    });
    const [ok, failing, vanishing] = await submitHandles(3);
    expect((await pollUntilSettled(profile, context!, ok)).outcome.kind).toBe('done');
    const failed = await pollUntilSettled(profile, context!, failing);
    expect(failed.outcome).toMatchObject({ kind: 'jobFailed', error: 'fake failure of job 2' });
    const lost = await pollUntilSettled(profile, context!, vanishing);
    expect(lost.outcome).toEqual({ kind: 'notFound' });
    expect(await profile.poll(context!, { jobId: 'never-issued' })).toEqual({ kind: 'notFound' });
  });

  it('treats a bare 404 as pending in state unknown', async () => {
    const { profile } = await setUp({ pendingBody: 'bare', neverFinish: () => true });
    const [handle] = await submitHandles(1);
    expect(await profile.poll(context!, handle)).toEqual({ kind: 'pending', state: 'unknown' });
  });

  it('reads the queue counters', async () => {
    const { profile } = await setUp({ workers: 1, processingMs: 10_000 });
    await submitHandles(3);
    expect(await profile.queueStatus(context!)).toEqual({
      pending: 2,
      processing: 1,
      completed: 0,
      errors: 0,
    });
  });

  it('maps poll faults to request failures and throttling', async () => {
    const { profile } = await setUp({
      throttle: { every: 4, on: 'poll', retryAfterSeconds: 2 },
      status503Every: { every: 3, on: 'poll' },
      malformedEvery: { every: 2, on: 'poll' },
    });
    const [handle] = await submitHandles(1);
    await new Promise((resolve) => setTimeout(resolve, 30)); // past the 20 ms processing
    const outcomes = [];
    for (let poll = 0; poll < 4; poll++) outcomes.push(await profile.poll(context!, handle));
    expect(outcomes.map((outcome) => outcome.kind)).toEqual([
      'done',
      'requestFailed',
      'requestFailed',
      'throttled',
    ]);
    expect(outcomes[1]).toMatchObject({ failureClass: 'malformedResponse' });
    expect(outcomes[2]).toMatchObject({ failureClass: 'http5xx', status: 503 });
    expect(outcomes[3]).toEqual({ kind: 'throttled', retryAfterMs: 2000 });
  });
});
