import { afterEach, describe, expect, it } from 'vitest';
import type { GenericProfileInput } from '../src/profiles/generic-config.ts';
import { trialCaveats } from '../src/run/caveats.ts';
import { scenarioSchema, type ScenarioInput } from '../src/scenario/schema.ts';
import { startFakeOcrServer, type FakeOcrServer } from './servers/fake-ocr-server.ts';
import { quietGenerator } from './helpers/make-run.ts';
import { driveEngine } from './helpers/drive-engine.ts';

// A service that answers off its profile (`text: 12345`, `processing_time: "fast"`,
// `enqueued_at: "yesterday"`): its jobs complete, each with a note naming the fields, and
// the run carries the `malformed-result-fields` caveat with the counts.

let server: FakeOcrServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

const JOBS = 4;
const BAD = { text: 12345, processing_time: 'fast', enqueued_at: 'yesterday' };

async function run(target: ScenarioInput['target'], misreport: Record<string, unknown>) {
  server = await startFakeOcrServer({ processingMs: 5, misreport: () => misreport });
  const load = { model: 'closed', concurrency: 2, jobs: JOBS } as const;
  const { records, collector } = await driveEngine(server.url, {
    target,
    load,
    poll: { intervalMs: 10, maxIntervalMs: 10 },
  });
  const caveats = trialCaveats({
    scenario: scenarioSchema.parse({ name: 'm', dataset: { path: '.' }, load }),
    counts: collector.counts(),
    generator: quietGenerator(),
    records,
    nonUniqueFormats: [],
  });
  return { records, counts: collector.counts(), caveats };
}

const caveatOf = (caveats: { code: string; message: string }[]) =>
  caveats.find((caveat) => caveat.code === 'malformed-result-fields')?.message;

describe('result fields of the wrong type', () => {
  it('ocrlotes: completed, noted per job, counted in a run caveat', async () => {
    const { records, counts, caveats } = await run({ profile: 'ocrlotes' }, BAD);
    expect(counts).toMatchObject({ submitted: JOBS, completed: JOBS });
    for (const record of records) {
      expect(record.fate).toBe('completed');
      expect(record.malformedFields).toEqual(['text', 'processing_time', 'enqueued_at']);
      // Read as absent: processing comes from started_at..finished_at (5 ms) instead, and
      // without enqueued_at the queue wait is what the polls saw.
      expect(record.processingMs).toBe(5);
      expect(record.timingSource).toBe('poll');
    }
    expect(caveatOf(caveats)).toBe(
      `${JOBS} completed jobs had result fields of the wrong type, read as absent (text ` +
        `${JOBS}, processing_time ${JOBS}, enqueued_at ${JOBS}): the service's answers do ` +
        'not match its profile. jobs.ndjson names them per job under malformedFields.',
    );
  });

  it('ocrlotes-batch and sync name the fields as their answers do', async () => {
    const batch = await run({ profile: 'ocrlotes-batch' }, BAD);
    expect(batch.counts.completed).toBe(JOBS);
    // Batch results carry the time under extraction_stats.
    expect(batch.records[0].malformedFields).toEqual([
      'text',
      'extraction_stats.processing_time',
      'enqueued_at',
    ]);
    await server?.close();
    const sync = await run({ profile: 'sync' }, { started_at: [1], confidence: 'high' });
    expect(sync.counts.completed).toBe(JOBS);
    expect(sync.records.map((r) => r.malformedFields)).toEqual(
      Array(JOBS).fill(['confidence', 'started_at']),
    );
    expect(caveatOf(sync.caveats)).toMatch(/\(confidence 4, started_at 4\)/);
  });

  it('generic: fields are named by the paths of the scenario', async () => {
    const celery: GenericProfileInput = {
      submit: { path: '/tasks', jobIdPath: '$.task_id' },
      status: { pathTemplate: '/tasks/{id}', statePath: '$.state' },
      result: {
        textPath: '$.result.text',
        processingTimePath: '$.result.processing_time_ms',
        processingTimeUnit: 'ms',
        enqueuedAtPath: '$.result.enqueued_at',
      },
    };
    const misreport = { text: { nested: true }, processing_time_ms: 'fast', enqueued_at: '' };
    const { records, counts } = await run({ profile: 'generic', generic: celery }, misreport);
    expect(counts.completed).toBe(JOBS);
    // An empty string means "not set", not malformed.
    expect(records[0].malformedFields).toEqual(['$.result.text', '$.result.processing_time_ms']);
  });

  it('well-formed answers carry no note and no caveat', async () => {
    const { records, caveats } = await run({ profile: 'ocrlotes' }, { processing_time: '0.005' });
    expect(records.every((record) => record.malformedFields === undefined)).toBe(true);
    // A number in a string is still a number.
    expect(records[0].processingMs).toBeCloseTo(5, 6);
    expect(caveatOf(caveats)).toBeUndefined();
  });
});
