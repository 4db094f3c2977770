import type {
  AccuracySummary,
  Caveat,
  JobCounts,
  RunFile,
  SizeClassResult,
  StageMap,
  StageName,
  TrialResult,
} from './run-file.ts';
import { mergeEncoded, stageStats } from './histogram.ts';

/** A JobCounts with every count at zero. */
export function emptyJobCounts(): JobCounts {
  return {
    submitted: 0,
    completed: 0,
    failed: 0,
    timedOut: 0,
    lost: 0,
    inFlight: 0,
    failedByClass: {},
    throttled: 0,
  };
}

/**
 * Merges trials: counts summed, histograms merged, throughput over the summed windows
 * (submitted over the submission windows, completed over the measured trials).
 */
export function summarise(trials: TrialResult[], runCaveats: Caveat[]): RunFile['summary'] {
  const seconds = trials.reduce((sum, trial) => sum + trial.durationSeconds, 0);
  const jobs = sumCounts(trials.map((trial) => trial.jobs));
  const measuredSeconds = trials.reduce((sum, t) => sum + windowSeconds(t, 'completed'), 0);
  const submissionSeconds = trials.reduce((sum, t) => sum + windowSeconds(t, 'submitted'), 0);
  const sizeClasses = [...new Set(trials.flatMap((trial) => Object.keys(trial.bySizeClass)))];
  const bySizeClass: Record<string, SizeClassResult> = {};
  for (const name of sizeClasses.sort()) {
    const parts = trials.map((trial) => trial.bySizeClass[name]).filter(Boolean);
    bySizeClass[name] = {
      jobs: sumCounts(parts.map((part) => part.jobs)),
      stages: mergeStages(parts.map((part) => part.stages)),
      accuracy: mergeAccuracy(parts.map((part) => part.accuracy)),
    };
  }
  const caveats = dedupe([...runCaveats, ...trials.flatMap((trial) => trial.caveats)]);
  return {
    startedAt: trials[0]?.startedAt ?? new Date().toISOString(),
    endedAt: trials.at(-1)?.endedAt ?? new Date().toISOString(),
    durationSeconds: seconds,
    warmupJobs: trials.reduce((sum, trial) => sum + trial.warmupJobs, 0),
    jobs,
    throughput: {
      submittedPerSecond: jobs.submitted / Math.max(submissionSeconds, 1e-3),
      completedPerSecond: jobs.completed / Math.max(measuredSeconds, 1e-3),
      submissionSeconds,
      measuredSeconds,
      series: concatSeries(trials),
    },
    stages: mergeStages(trials.map((trial) => trial.stages)),
    bySizeClass,
    accuracy: mergeAccuracy(trials.map((trial) => trial.accuracy)),
    caveats,
  };
}

export function mergeStages(maps: StageMap[]): StageMap {
  const merged: StageMap = {};
  const names = new Set(maps.flatMap((map) => Object.keys(map))) as Set<StageName>;
  for (const name of names) {
    const parts = maps.flatMap((map) => {
      const stats = map[name];
      return stats && stats.count > 0 ? [stats] : [];
    });
    const encoded = parts.map((stats) => stats.histogram).filter(Boolean);
    // The parts' min and max are exact; a decoded histogram only knows their buckets.
    const bounds =
      parts.length > 0
        ? {
            minMs: Math.min(...parts.map((stats) => stats.minMs)),
            maxMs: Math.max(...parts.map((stats) => stats.maxMs)),
          }
        : undefined;
    merged[name] = stageStats(mergeEncoded(encoded), bounds);
  }
  return merged;
}

export function sumCounts(list: JobCounts[]): JobCounts {
  const total = emptyJobCounts();
  for (const counts of list) {
    for (const key of [
      'submitted',
      'completed',
      'failed',
      'timedOut',
      'lost',
      'inFlight',
      'throttled',
    ] as const) {
      total[key] += counts[key];
    }
    for (const [name, value] of Object.entries(counts.failedByClass)) {
      const key = name as keyof JobCounts['failedByClass'];
      total.failedByClass[key] = (total.failedByClass[key] ?? 0) + (value ?? 0);
    }
  }
  return total;
}

/** Exact when the totals are present (edits / reference characters over all trials);
 * otherwise the job-weighted mean. Worst jobs are pooled. */
function mergeAccuracy(list: Array<AccuracySummary | null>): AccuracySummary | null {
  const present = list.filter((item): item is AccuracySummary => item !== null);
  if (present.length === 0) return null;
  const checked = present.reduce((sum, item) => sum + item.jobsChecked, 0);
  const weighted = (pick: (item: AccuracySummary) => number) =>
    checked === 0
      ? 0
      : present.reduce((sum, item) => sum + pick(item) * item.jobsChecked, 0) / checked;
  const sum = (pick: (item: AccuracySummary) => number | undefined) =>
    present.every((item) => pick(item) !== undefined)
      ? present.reduce((total, item) => total + (pick(item) ?? 0), 0)
      : undefined;
  const characterEdits = sum((item) => item.characterEdits);
  const referenceChars = sum((item) => item.referenceChars);
  const wordEdits = sum((item) => item.wordEdits);
  const referenceWords = sum((item) => item.referenceWords);
  return {
    cer:
      characterEdits !== undefined && referenceChars
        ? characterEdits / referenceChars
        : weighted((item) => item.cer),
    wer:
      wordEdits !== undefined && referenceWords
        ? wordEdits / referenceWords
        : weighted((item) => item.wer),
    characterEdits,
    referenceChars,
    wordEdits,
    referenceWords,
    jobsChecked: checked,
    jobsWithoutTruth: present.reduce((sum, item) => sum + item.jobsWithoutTruth, 0),
    emptyResults: present.reduce((sum, item) => sum + item.emptyResults, 0),
    worst: present
      .flatMap((item) => item.worst)
      .sort((a, b) => b.cer - a.cer)
      .slice(0, 10),
  };
}

function concatSeries(trials: TrialResult[]): RunFile['summary']['throughput']['series'] {
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
    // A trial's series starts after its warm-up: the next trial follows its last second.
    offset += (s.tSeconds.at(-1) ?? -1) + 1;
  }
  return series;
}

function dedupe(caveats: Caveat[]): Caveat[] {
  const seen = new Set<string>();
  return caveats.filter((caveat) => {
    const key = `${caveat.code}:${caveat.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Seconds behind a trial's completed/s (the measured trial) or submitted/s (the submission
 * window). Older run files lack the windows: derived from the rate, else the trial length.
 */
function windowSeconds(trial: TrialResult, side: 'completed' | 'submitted'): number {
  const stored =
    side === 'completed' ? trial.throughput.measuredSeconds : trial.throughput.submissionSeconds;
  if (stored != null) return stored;
  const perSecond =
    side === 'completed'
      ? trial.throughput.completedPerSecond
      : trial.throughput.submittedPerSecond;
  return perSecond > 0 ? trial.jobs[side] / perSecond : trial.durationSeconds;
}
