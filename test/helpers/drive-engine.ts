import { scenarioSchema, type ScenarioInput } from '../../src/scenario/schema.ts';
import type { TrialCollector } from '../../src/record/collector.ts';
import { runEngineOn } from './engine-result.ts';
import type { GeneratorHealth, JobRecord } from '../../src/record/run-file.ts';

export { tinyDocument } from './engine-result.ts';

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
  const { engine, collector, records } = await runEngineOn(url, scenario, signal);
  return { collector, records, lengthMs: engine.lengthMs, generator: engine.generator };
}
