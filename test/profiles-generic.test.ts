import { afterEach, describe, expect, it } from 'vitest';
import { genericProfileSchema, type GenericProfileInput } from '../src/profiles/generic-config.ts';
import { getProfile } from '../src/profiles/index.ts';
import type { JobHandle, Profile } from '../src/profiles/profile.ts';
import { isOcrbenchError } from '../src/util/errors.ts';
import { startFakeOcrServer, type FakeOcrServer } from './servers/fake-ocr-server.ts';
import { contextFor, pollUntilSettled, uploadFiles } from './servers/profile-driver.ts';

/** The FastAPI + Celery example of docs/profiles.md. */
const celery: GenericProfileInput = {
  submit: { path: '/tasks', fileField: 'file', fields: { lang: 'eng' }, jobIdPath: '$.task_id' },
  status: { pathTemplate: '/tasks/{id}', statePath: '$.state' },
  result: {
    textPath: '$.result.text',
    processingTimePath: '$.result.processing_time_ms',
    processingTimeUnit: 'ms',
    enqueuedAtPath: '$.result.enqueued_at',
    startedAtPath: '$.result.started_at',
    finishedAtPath: '$.result.finished_at',
  },
};

/** The ocrlotes shape written as generic settings (docs/profiles.md). */
const ocrlotesAsGeneric: GenericProfileInput = {
  submit: { path: '/api/ocr/process_image', fileField: 'files', jobIdPath: '$.request_ids[*]' },
  status: { pathTemplate: '/api/ocr/result/{id}', statePath: '$.status' },
  result: {
    processingTimePath: '$.processing_time',
    enqueuedAtPath: '$.enqueued_at',
    startedAtPath: '$.started_at',
    finishedAtPath: '$.finished_at',
  },
  queue: {
    path: '/api/ocr/queue/status',
    pendingPath: '$.queue_status.pending',
    processingPath: '$.queue_status.processing',
    completedPath: '$.queue_status.completed',
    errorsPath: '$.queue_status.errors',
  },
};

let server: FakeOcrServer | null = null;
let context: ReturnType<typeof contextFor> | null = null;

afterEach(async () => {
  await context?.close();
  await server?.close();
  server = null;
  context = null;
});

async function setUp(settings: unknown, options: Parameters<typeof startFakeOcrServer>[0] = {}) {
  server = await startFakeOcrServer(options);
  context = contextFor(server.url);
  // As the run passes it: the scenario's whole target object.
  const profile = getProfile('generic', { url: server.url, profile: 'generic', generic: settings });
  return { server, profile };
}

async function submit(profile: Profile, files: number): Promise<JobHandle[]> {
  const outcome = await profile.submit(context!, uploadFiles(files));
  if (outcome.kind !== 'accepted') throw new Error(`not accepted: ${JSON.stringify(outcome)}`);
  return outcome.handles;
}

describe('generic profile, Celery-like service', () => {
  it('submits with fields, follows PENDING/STARTED to SUCCESS, reads ms and epoch s', async () => {
    // 150 ms per job: the second upload arrives well within the first job, so it queues.
    const { server, profile } = await setUp(celery, { workers: 1, processingMs: 150 });
    const [, second] = [await submit(profile, 1), await submit(profile, 1)].flat();
    expect(second.jobId).toBe('job-2');
    expect(server.stats.uploads[0].fields).toEqual({ lang: 'eng' });
    expect(server.stats.uploads[0].files[0].field).toBe('file');
    expect(server.stats.uploads[0].transferEncoding).toBeUndefined();
    const settled = await pollUntilSettled(profile, context!, second);
    expect(settled.pendingStates[0]).toBe('queued');
    expect(settled.pendingStates).toContain('processing');
    expect(settled.outcome.kind).toBe('done');
    if (settled.outcome.kind !== 'done') return;
    const { result } = settled.outcome;
    const job = server.jobs.get('job-2')!;
    expect(result.text).toBe('hello world');
    expect(result.processingMs).toBe(150);
    // Epoch seconds as floats: equal to the ms within float rounding.
    expect(result.enqueuedAtMs).toBeCloseTo(job.enqueuedAtMs, 3);
    expect(result.startedAtMs).toBeCloseTo(job.startedAtMs, 3);
    expect(result.finishedAtMs! - result.startedAtMs!).toBeCloseTo(150, 3);
    expect(profile.serverTimestamps).toBe(true);
  });

  it('maps FAILURE to jobFailed with the error and UNKNOWN to notFound', async () => {
    const { profile } = await setUp(celery, {
      failEvery: 1,
      vanish: (job) => job.index === 2,
      processingMs: 5,
    });
    const [failing] = await submit(profile, 1);
    const failed = await pollUntilSettled(profile, context!, failing);
    expect(failed.outcome).toMatchObject({ kind: 'jobFailed', error: 'fake failure of job 1' });
    const [vanishing] = await submit(profile, 1);
    expect((await pollUntilSettled(profile, context!, vanishing)).outcome).toEqual({
      kind: 'notFound',
    });
  });

  it('says malformed when the state is in no list or the id is missing', async () => {
    const strict = { ...celery, status: { ...celery.status, doneValues: ['finished'] } };
    const { profile } = await setUp(strict, { processingMs: 1, malformedEvery: 2 });
    const [handle] = await submit(profile, 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await profile.poll(context!, handle)).toMatchObject({
      kind: 'requestFailed',
      failureClass: 'malformedResponse',
      error: 'state "SUCCESS" is in none of the configured state lists',
    });
    expect(await profile.submit(context!, uploadFiles(1))).toMatchObject({
      kind: 'failed',
      failureClass: 'malformedResponse',
    });
  });
});

describe('generic profile, ocrlotes shape', () => {
  it('takes several ids with [*], polls 404-pending results, reads the queue', async () => {
    const { profile } = await setUp(ocrlotesAsGeneric, { workers: 1, processingMs: 200 });
    const handles = await submit(profile, 3);
    expect(handles.map((handle) => handle.jobId)).toEqual(['job-1', 'job-2', 'job-3']);
    expect(await profile.queueStatus(context!)).toEqual({
      pending: 2,
      processing: 1,
      completed: 0,
      errors: 0,
    });
    const last = await pollUntilSettled(profile, context!, handles[2]);
    expect(last.pendingStates[0]).toBe('queued');
    expect(last.outcome.kind === 'done' && last.outcome.result.processingMs).toBe(200);
    expect(last.outcome.kind === 'done' && last.outcome.result.text).toBe('hello world');
  });

  it('fetches the result from resultPathTemplate once the state is done', async () => {
    const settings = {
      ...ocrlotesAsGeneric,
      status: { ...ocrlotesAsGeneric.status, resultPathTemplate: '/api/ocr/result/{id}' },
    };
    const { server, profile } = await setUp(settings, { processingMs: 1 });
    const [handle] = await submit(profile, 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await profile.poll(context!, handle)).kind).toBe('done');
    expect(server.stats.requests.result).toBe(2);
  });
});

describe('generic settings', () => {
  it('fill in documented defaults', () => {
    const parsed = genericProfileSchema.parse({
      submit: { path: '/jobs' },
      status: { pathTemplate: '/jobs/{id}' },
    });
    expect(parsed.submit).toEqual({
      method: 'POST',
      path: '/jobs',
      fileField: 'file',
      fields: {},
      jobIdPath: '$.id',
    });
    expect(parsed.status.pendingStatusCodes).toEqual([202]);
    expect(parsed.result.textPath).toBe('$.text');
    expect(parsed.result.processingTimeUnit).toBe('s');
  });

  it('are rejected with the field path, the rule and the fix', () => {
    const bad = {
      submit: { path: 'tasks', jobIdPath: 'task_id', typo: 1 },
      status: { pathTemplate: '/tasks' },
    };
    let caught: unknown;
    try {
      getProfile('generic', { profile: 'generic', generic: bad });
    } catch (error) {
      caught = error;
    }
    expect(isOcrbenchError(caught) && caught.code).toBe('E_SCENARIO_FIELD');
    const message = (caught as Error).message;
    expect(message).toContain('target.generic.submit.path: must start with "/"');
    expect(message).toContain('target.generic.submit.jobIdPath: not a JSON path');
    expect(message).toContain('target.generic.status.pathTemplate: must contain "{id}"');
    expect(message).toMatch(/typo/);
    expect(() => getProfile('grpc', {})).toThrow(/unknown profile "grpc"/);
  });
});
