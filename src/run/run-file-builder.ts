import { hostname, cpus, totalmem } from 'node:os';
import type { Scenario } from '../scenario/schema.ts';
import type { Caveat, RunFile, TrialResult } from '../record/run-file.ts';
import { summarise } from '../record/summary.ts';
import { TOOL_VERSION } from '../util/version.ts';

export interface RunFileInput {
  id: string;
  scenario: Scenario;
  scenarioFile: string;
  scenarioSha256: string;
  target: RunFile['target'];
  startedAt: Date;
  endedAt: Date;
  stopReason: RunFile['stopReason'];
  trials: TrialResult[];
  /** Run-level caveats known before the run, e.g. the load overridden on the command line. */
  caveats?: Caveat[];
}

/** Assembles run.json: the trials as measured, and a summary with histograms merged. */
export function buildRunFile(input: RunFileInput): RunFile {
  const { trials } = input;
  const runCaveats: Caveat[] = [...(input.caveats ?? [])];
  if (input.stopReason !== 'finished') {
    runCaveats.push({
      code: 'stopped-early',
      message:
        `The run stopped early (${input.stopReason}) after ${trials.length} of ` +
        `${input.scenario.trials} trials; the numbers cover what was measured until then.`,
    });
  }
  return {
    schemaVersion: 1,
    id: input.id,
    tool: { name: 'ocrbench', version: TOOL_VERSION },
    scenario: {
      name: input.scenario.name,
      file: input.scenarioFile,
      sha256: input.scenarioSha256,
      tags: input.scenario.tags,
    },
    target: input.target,
    host: {
      hostname: hostname(),
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      memoryBytes: totalmem(),
      node: process.version,
    },
    startedAt: input.startedAt.toISOString(),
    endedAt: input.endedAt.toISOString(),
    complete: input.stopReason === 'finished',
    stopReason: input.stopReason,
    trials,
    summary: summarise(trials, runCaveats),
    caveats: runCaveats,
    jobsLog: 'jobs.ndjson',
  };
}
