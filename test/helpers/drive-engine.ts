import { Pool } from 'undici';
import { runEngine } from '../../src/load/engine.ts';
import { getProfile } from '../../src/profiles/index.ts';
import { scenarioSchema, type ScenarioInput } from '../../src/scenario/schema.ts';
import { seededRandom } from '../../src/util/random.ts';
import { TrialCollector } from '../../src/record/collector.ts';
import type { LoadedDocument } from '../../src/load/documents.ts';
import type { GeneratorHealth, JobRecord } from '../../src/record/run-file.ts';

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

export interface DriveResult {
  collector: TrialCollector;
  records: JobRecord[];
  lengthMs: number;
  generator: GeneratorHealth;
}

/**
 * Runs the load engine (no target start, no observation) against `url` with a scenario
 * made of `overrides`, and collects every job.
 */
export async function driveEngine(
  url: string,
  overrides: Partial<ScenarioInput> & Pick<ScenarioInput, 'load'>,
  signal: AbortSignal = new AbortController().signal,
): Promise<DriveResult> {
  const scenario = scenarioSchema.parse({ name: 'test', dataset: { path: '.' }, ...overrides });
  const pool = new Pool(url, { connections: scenario.target.connections });
  const context = {
    baseUrl: new URL(url),
    dispatcher: pool,
    headers: {},
    requestTimeoutMs: scenario.target.requestTimeoutMs,
  };
  const collector = new TrialCollector();
  const records: JobRecord[] = [];
  const result = await runEngine({
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
    onSubmitted: (atMs, jobs, warmup) => collector.submitted(atMs, jobs, warmup),
    onJob: (outcome, _document, atMs) => {
      records.push(outcome.record);
      collector.add(outcome.record, outcome.text, null, atMs);
    },
  });
  await pool.close();
  return { collector, records, lengthMs: result.lengthMs, generator: result.generator };
}
