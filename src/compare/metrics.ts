import type { JobCounts, StageName, TrialResult } from '../record/run-file.ts';

/**
 * The metrics a comparison reports, one value per trial each. Latency and throughput are
 * compared as a ratio candidate / baseline; rates (fractions of submitted jobs) and the
 * character error rate as a difference in absolute points, since a baseline of 0 errors
 * makes any ratio meaningless.
 */
export const COMPARED_STAGES = ['upload', 'queueWait', 'processing', 'endToEnd'] as const;
export const PERCENTILES = ['p50Ms', 'p95Ms', 'p99Ms'] as const;

export type MetricKind = 'ratio' | 'difference';
export type Better = 'lower' | 'higher';
/**
 * Primary metrics carry the conclusion; secondary ones explain it. Each family gets its own
 * Holm-Bonferroni correction (as primary and secondary endpoints do in a clinical trial).
 */
export type MetricFamily = 'primary' | 'secondary';

/** What a trial (or a run's merged summary) offers to the metric extractors. */
export type TrialLike = Pick<TrialResult, 'jobs' | 'throughput' | 'stages' | 'accuracy'>;

export interface MetricDefinition {
  id: string;
  label: string;
  unit: 'ms' | 'jobs/s' | 'fraction';
  kind: MetricKind;
  better: Better;
  family: MetricFamily;
  /** The stage for latency metrics, used by the job-level fallback. */
  stage?: StageName;
  percentile?: number;
  /**
   * Judged on its point estimate against the no-change band, without a significance test:
   * the character error rate. The same documents give the same text whatever the machine
   * is doing, so it has no run-to-run noise to test against (docs/compare.md).
   */
  pointJudged?: boolean;
  /** null when the trial did not measure it (stage absent, no ground truth). */
  value(trial: TrialLike): number | null;
  /**
   * Weight of the trial when a side's trials are pooled (CER: its reference characters,
   * so the pooled value is total edits / total characters); null when not recorded.
   */
  weight?(trial: TrialLike): number | null;
}

function rate(jobs: JobCounts, count: number): number | null {
  return jobs.submitted > 0 ? count / jobs.submitted : null;
}

const stageLabels: Record<(typeof COMPARED_STAGES)[number], string> = {
  upload: 'upload',
  queueWait: 'queue wait',
  processing: 'processing',
  endToEnd: 'end-to-end',
};

function latencyMetrics(): MetricDefinition[] {
  const result: MetricDefinition[] = [];
  for (const stage of COMPARED_STAGES) {
    for (const key of PERCENTILES) {
      const percentile = Number(key.slice(1, 3));
      result.push({
        id: `${stage}.${key}`,
        label: `${stageLabels[stage]} p${percentile}`,
        unit: 'ms',
        kind: 'ratio',
        better: 'lower',
        family: stage === 'endToEnd' && key === 'p95Ms' ? 'primary' : 'secondary',
        stage,
        percentile,
        value: (trial) => {
          const stats = trial.stages[stage];
          return stats && stats.count > 0 ? stats[key] : null;
        },
      });
    }
  }
  return result;
}

/** Every compared metric, primary ones first within the listing order of the reports. */
export const METRICS: readonly MetricDefinition[] = [
  ...latencyMetrics(),
  {
    id: 'throughput.completedPerSecond',
    label: 'completed throughput',
    unit: 'jobs/s',
    kind: 'ratio',
    better: 'higher',
    family: 'primary',
    value: (trial) => trial.throughput.completedPerSecond,
  },
  {
    id: 'errorRate',
    label: 'error rate',
    unit: 'fraction',
    kind: 'difference',
    better: 'lower',
    family: 'primary',
    value: (trial) => rate(trial.jobs, trial.jobs.failed),
  },
  {
    id: 'lostRate',
    label: 'lost rate',
    unit: 'fraction',
    kind: 'difference',
    better: 'lower',
    family: 'secondary',
    value: (trial) => rate(trial.jobs, trial.jobs.lost),
  },
  {
    id: 'timedOutRate',
    label: 'timed-out rate',
    unit: 'fraction',
    kind: 'difference',
    better: 'lower',
    family: 'secondary',
    value: (trial) => rate(trial.jobs, trial.jobs.timedOut),
  },
  {
    id: 'cer',
    label: 'character error rate',
    unit: 'fraction',
    kind: 'difference',
    better: 'lower',
    family: 'primary',
    pointJudged: true,
    value: (trial) => trial.accuracy?.cer ?? null,
    weight: (trial) => trial.accuracy?.referenceChars ?? null,
  },
];

export const METRIC_IDS = METRICS.map((metric) => metric.id);

export function metricById(id: string): MetricDefinition | undefined {
  return METRICS.find((metric) => metric.id === id);
}

/**
 * Each trial's weight for pooling, when the metric has weights and every trial records a
 * positive one; otherwise null and the trials weigh alike.
 */
export function trialWeights(metric: MetricDefinition, trials: TrialLike[]): number[] | null {
  if (!metric.weight) return null;
  const weights: number[] = [];
  for (const trial of trials) {
    const weight = metric.weight(trial);
    if (weight === null || !Number.isFinite(weight) || weight <= 0) return null;
    weights.push(weight);
  }
  return weights;
}

/** The metric's value in each trial; null when any trial lacks it. */
export function trialValues(metric: MetricDefinition, trials: TrialLike[]): number[] | null {
  const values: number[] = [];
  for (const trial of trials) {
    const value = metric.value(trial);
    if (value === null || !Number.isFinite(value)) return null;
    values.push(value);
  }
  return values;
}
