import { mergeStages, sumCounts } from '../record/summary.ts';
import type {
  AccuracySummary,
  Caveat,
  JobCounts,
  RunFile,
  SizeClassResult,
  TrialResult,
} from '../record/run-file.ts';

/**
 * Merging: `ocrbench ab` runs one trial at a time, alternating baseline and candidate, and
 * then joins each side's single-trial runs into one run with K trials. Histograms are
 * merged (never their percentiles), counts summed, series laid end to end.
 */
export type RunSummary = RunFile['summary'];

export function summarizeTrials(trials: TrialResult[]): RunSummary {
  const durationSeconds = trials.reduce((sum, trial) => sum + trial.durationSeconds, 0);
  const jobs = sumCounts(trials.map((trial) => trial.jobs));
  const sizeClasses = new Set(trials.flatMap((trial) => Object.keys(trial.bySizeClass)));
  const bySizeClass: Record<string, SizeClassResult> = {};
  for (const name of sizeClasses) {
    const parts = trials.map((trial) => trial.bySizeClass[name]).filter(Boolean);
    bySizeClass[name] = {
      jobs: sumCounts(parts.map((part) => part.jobs)),
      stages: mergeStages(parts.map((part) => part.stages)),
      accuracy: mergeAccuracy(parts.map((part) => part.accuracy)),
    };
  }
  return {
    startedAt: trials[0]?.startedAt ?? new Date(0).toISOString(),
    endedAt: trials[trials.length - 1]?.endedAt ?? new Date(0).toISOString(),
    durationSeconds,
    warmupJobs: trials.reduce((sum, trial) => sum + trial.warmupJobs, 0),
    jobs,
    throughput: mergeThroughput(trials, jobs, durationSeconds),
    stages: mergeStages(trials.map((trial) => trial.stages)),
    bySizeClass,
    accuracy: mergeAccuracy(trials.map((trial) => trial.accuracy)),
    caveats: uniqueCaveats(trials.flatMap((trial) => trial.caveats)),
  };
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

function mergeThroughput(trials: TrialResult[], jobs: JobCounts, seconds: number) {
  // Series laid end to end: trial 2's second 0 follows trial 1's last second.
  const series = {
    tSeconds: [] as number[],
    submitted: [] as number[],
    completed: [] as number[],
    failed: [] as number[],
  };
  let offset = 0;
  for (const trial of trials) {
    const s = trial.throughput.series;
    series.tSeconds.push(...s.tSeconds.map((t) => t + offset));
    series.submitted.push(...s.submitted);
    series.completed.push(...s.completed);
    series.failed.push(...s.failed);
    offset += trial.durationSeconds;
  }
  return {
    submittedPerSecond: seconds > 0 ? jobs.submitted / seconds : 0,
    completedPerSecond: seconds > 0 ? jobs.completed / seconds : 0,
    series,
  };
}

function mergeAccuracy(parts: Array<AccuracySummary | null>): AccuracySummary | null {
  const present = parts.filter((part): part is AccuracySummary => part !== null);
  if (present.length === 0) return null;
  const checked = present.reduce((sum, part) => sum + part.jobsChecked, 0);
  // Weighted by checked jobs: run.json keeps no reference character totals per trial.
  // TODO(compare): weight by reference characters once run.json records them per trial.
  const weighted = (pick: (part: AccuracySummary) => number) =>
    checked > 0
      ? present.reduce((sum, part) => sum + pick(part) * part.jobsChecked, 0) / checked
      : 0;
  return {
    cer: weighted((part) => part.cer),
    wer: weighted((part) => part.wer),
    jobsChecked: checked,
    jobsWithoutTruth: present.reduce((sum, part) => sum + part.jobsWithoutTruth, 0),
    emptyResults: present.reduce((sum, part) => sum + part.emptyResults, 0),
    worst: present
      .flatMap((part) => part.worst)
      .sort((a, b) => b.cer - a.cer)
      .slice(0, 10),
  };
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
