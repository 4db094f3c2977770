import { Pool } from 'undici';
import { runEngine, type EngineResult } from '../../src/load/engine.ts';
import { getProfile } from '../../src/profiles/index.ts';
import type { Scenario } from '../../src/scenario/schema.ts';
import { seededRandom } from '../../src/util/random.ts';
import { TrialCollector } from '../../src/record/collector.ts';
import type { JobRecord } from '../../src/record/run-file.ts';
import type { LoadedDocument } from '../../src/load/documents.ts';

/** A tiny document; the fake servers never decode it. */
export const tinyDocument: LoadedDocument = {
  entry: {
    file: 'a.png',
    format: 'png',
    bytes: 64,
    sizeClass: 'tiny',
    widthPx: 1,
    heightPx: 1,
    pages: 1,
    sha256: '',
    language: 'spa',
    kind: 'receipt',
    groundTruth: null,
  },
  // A PNG signature and IHDR-sized head, so unique-bytes insertion has its anchor.
  bytes: Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(56, 1)]),
  contentType: 'image/png',
};

export interface EngineRun {
  engine: EngineResult;
  collector: TrialCollector;
  records: JobRecord[];
  /** Each upload request as the engine announced it: when, how many jobs, which phase. */
  submissions: Array<{ atMs: number; jobs: number; warmup: boolean }>;
}

/**
 * Runs the load engine against `url` with an already parsed scenario (so a test can set
 * values the schema would refuse) and returns the engine's own result with every job.
 */
export async function runEngineOn(
  url: string,
  scenario: Scenario,
  signal: AbortSignal = new AbortController().signal,
): Promise<EngineRun> {
  const pool = new Pool(url, { connections: scenario.target.connections });
  const context = {
    baseUrl: new URL(url),
    dispatcher: pool,
    headers: {},
    requestTimeoutMs: scenario.target.requestTimeoutMs,
  };
  const collector = new TrialCollector();
  const records: JobRecord[] = [];
  const submissions: EngineRun['submissions'] = [];
  try {
    const engine = await runEngine({
      scenario,
      picker: { documents: [tinyDocument], pick: () => tinyDocument },
      random: seededRandom(1),
      signal,
      environment: {
        profile: getProfile(scenario.target.profile, scenario.target),
        uploadContext: context,
        pollContext: context,
        poll: scenario.poll,
        uniqueBytes: scenario.uploads.uniqueBytes,
        maxRetries: scenario.uploads.maxRetries,
        trial: 0,
        onThrottled: () => collector.throttled(),
      },
      onSubmitted: (atMs, jobs, warmup) => {
        submissions.push({ atMs, jobs, warmup });
        collector.submitted(atMs, jobs, warmup);
      },
      onJob: (outcome, _document, atMs) => {
        records.push(outcome.record);
        collector.add(outcome.record, outcome.text, null, atMs);
      },
    });
    return { engine, collector, records, submissions };
  } finally {
    await pool.close();
  }
}
