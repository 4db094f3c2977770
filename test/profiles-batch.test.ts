import { afterEach, describe, expect, it } from 'vitest';
import { BatchBook } from '../src/profiles/batch-book.ts';
import { createOcrlotesBatchProfile } from '../src/profiles/ocrlotes-batch.ts';
import type { JobHandle, Profile } from '../src/profiles/profile.ts';
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
  return { server, context, profile: createOcrlotesBatchProfile() };
}

async function submitBatch(profile: Profile, files: number): Promise<JobHandle[]> {
  const outcome = await profile.submit(context!, uploadFiles(files));
  if (outcome.kind !== 'accepted') throw new Error(`not accepted: ${JSON.stringify(outcome)}`);
  return outcome.handles;
}

describe('ocrlotes-batch profile against the fake service', () => {
  it('gives one job per file and reads each result from the batch results', async () => {
    const { server, profile } = await setUp({
      workers: 2,
      processingMs: 30,
      text: (job) => `text of ${job.name}`,
    });
    const handles = await submitBatch(profile, 3);
    expect(handles.map((handle) => handle.jobId)).toEqual(['batch-1:0', 'batch-1:1', 'batch-1:2']);
    expect(server.stats.uploads[0].files.map((file) => file.field)).toEqual([
      'files',
      'files',
      'files',
    ]);
    const settled = await Promise.all(
      handles.map((handle) => pollUntilSettled(profile, context!, handle)),
    );
    for (const [index, { outcome }] of settled.entries()) {
      expect(outcome.kind).toBe('done');
      if (outcome.kind !== 'done') continue;
      expect(outcome.result.text).toBe(`text of page-${index + 1}.png`);
      // extraction_stats.processing_time is 0.03 s.
      expect(outcome.result.processingMs).toBe(30);
      expect(outcome.result.finishedAtMs! - outcome.result.startedAtMs!).toBe(30);
    }
    // Two workers: the third file waited for one of the first two (30 ms).
    const third = settled[2].outcome;
    expect(third.kind === 'done' && third.result.startedAtMs! - third.result.enqueuedAtMs!).toBe(
      30,
    );
    expect(server.stats.requests.batchResults).toBe(1);
  });

  it('shares one status request per poll round among the jobs of a batch', async () => {
    const { server, profile } = await setUp({ processingMs: 250 });
    const handles = await submitBatch(profile, 4);
    const rounds = [];
    for (let round = 0; round < 2; round++) {
      rounds.push(await Promise.all(handles.map((handle) => profile.poll(context!, handle))));
      // Past the processing time, and longer than the 100 ms a status answer is reused.
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    expect(rounds[0].map((outcome) => outcome.kind)).toEqual(Array(4).fill('pending'));
    expect(rounds[1].map((outcome) => outcome.kind)).toEqual(Array(4).fill('done'));
    // One status request per round for four jobs, one results request for the batch.
    expect(server.stats.requests.batchStatus).toBe(2);
    expect(server.stats.requests.batchResults).toBe(1);
  });

  it('fails the job of a failed file only, and loses the jobs of a vanished batch', async () => {
    const { profile } = await setUp({
      failEvery: 2,
      vanish: (job) => job.index >= 4,
      processingMs: 5,
    });
    const [first, second, third] = await submitBatch(profile, 3);
    expect((await pollUntilSettled(profile, context!, first)).outcome.kind).toBe('done');
    expect((await pollUntilSettled(profile, context!, second)).outcome).toMatchObject({
      kind: 'jobFailed',
      error: 'fake failure of job 2',
    });
    expect((await pollUntilSettled(profile, context!, third)).outcome.kind).toBe('done');
    const [vanished] = await submitBatch(profile, 2);
    expect((await pollUntilSettled(profile, context!, vanished)).outcome).toEqual({
      kind: 'notFound',
    });
  });

  it('classifies a malformed upload answer and a throttled upload', async () => {
    const { profile } = await setUp({
      malformedEvery: 1,
      throttle: { every: 2, retryAfterSeconds: 1 },
    });
    expect(await profile.submit(context!, uploadFiles(2))).toMatchObject({
      kind: 'failed',
      failureClass: 'malformedResponse',
    });
    expect(await profile.submit(context!, uploadFiles(2))).toEqual({
      kind: 'throttled',
      retryAfterMs: 1000,
      status: 429,
    });
  });
});

describe('BatchBook', () => {
  it('forgets batches nobody polls any more', async () => {
    let nowMs = 0;
    const book = new BatchBook({ statusReuseMs: 100, forgetIdleMs: 1_000, now: () => nowMs });
    const answer = { kind: 'ok' as const, status: 200, json: {}, retryAfterMs: null, headers: {} };
    let fetches = 0;
    const fetch = async () => {
      fetches++;
      return answer;
    };
    await book.status('a', 2, fetch);
    await book.status('a', 2, fetch);
    expect(fetches).toBe(1);
    nowMs = 101;
    await book.status('a', 2, fetch);
    expect(fetches).toBe(2);
    nowMs = 70_000; // past forgetIdleMs and the once-a-minute sweep
    await book.status('b', 1, fetch);
    expect(book.size).toBe(1);
    book.taken('b', 0);
    expect(book.size).toBe(0);
  });
});
