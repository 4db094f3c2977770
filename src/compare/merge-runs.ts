import { summarise } from '../record/summary.ts';
import type { Caveat, RunFile, TrialResult } from '../record/run-file.ts';

/**
 * Merging: `ocrbench ab` runs one trial at a time, alternating baseline and candidate, and
 * then joins each side's single-trial runs into one run with K trials. Histograms are
 * merged (never their percentiles), counts summed, series laid end to end.
 */
export type RunSummary = RunFile['summary'];

export function summarizeTrials(trials: TrialResult[]): RunSummary {
  // The same summary a multi-trial run writes: counts summed, histograms merged, CER
  // pooled exactly (total edits / total reference characters) when the trials record them.
  return summarise(trials, []);
}

/**
 * Joins runs of the same scenario into one: trials concatenated (re-indexed in order),
 * summary rebuilt. `id` names the merged run.
 */
export function mergeRuns(runs: RunFile[], id: string): RunFile {
  if (runs.length === 0) throw new Error('mergeRuns needs at least one run');
  const trials = runs.flatMap((run) => run.trials).map((trial, index) => ({ ...trial, index }));
  const first = runs[0];
  const incomplete = runs.find((run) => !run.complete);
  const caveats = uniqueCaveats(runs.flatMap((run) => run.caveats));
  const hashes = new Set(runs.map((run) => run.scenario.sha256));
  if (hashes.size > 1) {
    caveats.push({
      code: 'merged-scenarios-differ',
      message: `The merged trials come from ${hashes.size} different scenario files.`,
    });
  }
  return {
    ...first,
    id,
    startedAt: runs.map((run) => run.startedAt).sort()[0],
    endedAt: runs.map((run) => run.endedAt).sort()[runs.length - 1],
    complete: incomplete === undefined,
    stopReason: incomplete?.stopReason ?? 'finished',
    trials,
    summary: summarizeTrials(trials),
    caveats,
    jobsLog: 'jobs.ndjson',
  };
}

/** Re-numbers the `trial` field of each run's jobs.ndjson lines to the merged indices. */
export function mergeJobLogs(logs: string[], trialsPerRun: number[]): string {
  const lines: string[] = [];
  let offset = 0;
  logs.forEach((log, runIndex) => {
    for (const line of log.split('\n')) {
      if (!line.trim()) continue;
      const record = JSON.parse(line) as { trial: number };
      lines.push(JSON.stringify({ ...record, trial: record.trial + offset }));
    }
    offset += trialsPerRun[runIndex];
  });
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

function uniqueCaveats(caveats: Caveat[]): Caveat[] {
  const seen = new Set<string>();
  return caveats.filter((caveat) => {
    const key = `${caveat.code}\n${caveat.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
