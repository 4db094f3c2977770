import type { Histogram } from 'hdr-histogram-js';
import { newHistogram, percentileMs, recordMs, stageStats } from './histogram.ts';
import { emptyJobCounts } from './summary.ts';
import type {
  AccuracySummary,
  JobCounts,
  JobRecord,
  SizeClassResult,
  StageMap,
  StageName,
  Throughput,
  ThroughputSeries,
} from './run-file.ts';

/** Turns a list of scored texts into an accuracy summary (src/accuracy). */
export type AccuracySummariser = (
  jobs: Array<{
    jobId: string;
    file: string;
    sizeClass: string;
    reference: string | null;
    hypothesis: string | null;
  }>,
) => AccuracySummary;

const MEASURED_STAGES: Array<[StageName, keyof JobRecord]> = [
  ['startDelay', 'startDelayMs'],
  ['upload', 'uploadMs'],
  ['queueWait', 'queueWaitMs'],
  ['processing', 'processingMs'],
  ['resultFetch', 'resultFetchMs'],
  ['endToEnd', 'endToEndMs'],
];

interface Bucket {
  counts: JobCounts;
  histograms: Map<StageName, Histogram>;
  texts: Parameters<AccuracySummariser>[0];
}

/**
 * Accumulates the measured (non-warm-up) jobs of one trial: HDR histograms per stage and
 * per size class, counts by fate, per-second throughput series, and texts for accuracy.
 */
export class TrialCollector {
  private readonly overall = newBucket();
  private readonly bySizeClass = new Map<string, Bucket>();
  private readonly submittedPerSecond: number[] = [];
  private readonly completedPerSecond: number[] = [];
  private readonly failedPerSecond: number[] = [];
  firstScheduledMs = Number.POSITIVE_INFINITY;
  lastFinishedMs = 0;
  warmupJobs = 0;

  /** Jobs sent so far, warm-up included (for the progress line). */
  jobsSent = 0;
  /** Jobs that reached a fate so far, warm-up included. */
  jobsEnded = 0;

  /**
   * Jobs were sent (counted at their upload time, ms since the trial start). Warm-up jobs
   * count for the progress line only, never in the throughput series.
   */
  submitted(atMs: number, jobs = 1, warmup = false): void {
    this.jobsSent += jobs;
    if (!warmup) bump(this.submittedPerSecond, atMs, jobs);
  }

  /** A job reached its fate. `finishedAtMs` is when, `groundTruth` what it should read. */
  add(record: JobRecord, text: string | null, groundTruth: string | null, finishedAtMs: number) {
    this.jobsEnded++;
    if (record.warmup) {
      this.warmupJobs++;
      return;
    }
    this.firstScheduledMs = Math.min(this.firstScheduledMs, record.scheduledAtMs);
    this.lastFinishedMs = Math.max(this.lastFinishedMs, finishedAtMs);
    if (record.fate === 'completed') bump(this.completedPerSecond, finishedAtMs);
    if (record.fate === 'failed') bump(this.failedPerSecond, finishedAtMs);
    let bucket = this.bySizeClass.get(record.sizeClass);
    if (!bucket) this.bySizeClass.set(record.sizeClass, (bucket = newBucket()));
    for (const target of [this.overall, bucket]) addTo(target, record, text, groundTruth);
  }

  throttled(): void {
    this.overall.counts.throttled++;
  }

  counts(): JobCounts {
    return this.overall.counts;
  }

  stages(): StageMap {
    return stagesOf(this.overall);
  }

  /** p95 of end-to-end time so far, ms, without encoding histograms (progress line). */
  endToEndP95Ms(): number | null {
    const histogram = this.overall.histograms.get('endToEnd');
    return histogram && histogram.totalCount > 0 ? percentileMs(histogram, 95) : null;
  }

  sizeClasses(summarise: AccuracySummariser): Record<string, SizeClassResult> {
    const result: Record<string, SizeClassResult> = {};
    for (const [name, bucket] of [...this.bySizeClass].sort(([a], [b]) => a.localeCompare(b))) {
      result[name] = {
        jobs: bucket.counts,
        stages: stagesOf(bucket),
        accuracy: accuracyOf(bucket, summarise),
      };
    }
    return result;
  }

  accuracy(summarise: AccuracySummariser): AccuracySummary | null {
    return accuracyOf(this.overall, summarise);
  }

  /**
   * Throughput of the measured jobs. Submitted: over the submission window, from the
   * measured phase's start until it stopped starting jobs (the drain is not submission).
   * Completed: over the whole measured trial, until the last measured job's fate. Times
   * are ms since the trial start (EngineResult).
   */
  throughput(window: {
    measuredStartMs: number;
    submissionEndMs: number;
    lengthSeconds: number;
  }): Throughput {
    const counts = this.overall.counts;
    const submissionSeconds = Math.max(0, window.submissionEndMs - window.measuredStartMs) / 1000;
    const measuredSeconds = Math.max(0, this.lastFinishedMs - window.measuredStartMs) / 1000;
    // 1 ms floors: a run stopped at its very start has no window, not an infinite rate.
    return {
      submittedPerSecond: counts.submitted / Math.max(submissionSeconds, 1e-3),
      completedPerSecond: counts.completed / Math.max(measuredSeconds, 1e-3),
      submissionSeconds,
      measuredSeconds,
      series: this.series(window.lengthSeconds),
    };
  }

  /**
   * Per-second series of the measured jobs, from the second the first of them started to
   * `lengthSeconds` (zeros where nothing happened). The warm-up's seconds are left out, so
   * they do not dilute completed/s: `tSeconds` still counts from the trial start, and
   * starts later than 0 when there was a warm-up. Empty when no measured job started.
   */
  series(lengthSeconds: number): ThroughputSeries {
    const length = Math.max(
      Math.ceil(lengthSeconds),
      this.submittedPerSecond.length,
      this.completedPerSecond.length,
      this.failedPerSecond.length,
    );
    const first = Number.isFinite(this.firstScheduledMs)
      ? Math.min(Math.max(0, Math.floor(this.firstScheduledMs / 1000)), length)
      : length;
    const seconds = Array.from({ length: length - first }, (_, i) => first + i);
    const pick = (values: number[]) => seconds.map((t) => values[t] ?? 0);
    return {
      tSeconds: seconds,
      submitted: pick(this.submittedPerSecond),
      completed: pick(this.completedPerSecond),
      failed: pick(this.failedPerSecond),
    };
  }
}

function newBucket(): Bucket {
  return {
    counts: emptyJobCounts(),
    histograms: new Map(),
    texts: [],
  };
}

function addTo(bucket: Bucket, record: JobRecord, text: string | null, truth: string | null) {
  const counts = bucket.counts;
  counts.submitted++;
  counts[record.fate]++;
  if (record.fate === 'failed' && record.failureClass) {
    counts.failedByClass[record.failureClass] =
      (counts.failedByClass[record.failureClass] ?? 0) + 1;
  }
  // Latency percentiles describe completed jobs only (so every stage's count equals the
  // completed count); other fates are counted by class, and their times are in jobs.ndjson.
  if (record.fate !== 'completed') return;
  for (const [stage, field] of MEASURED_STAGES) {
    const value = record[field];
    if (typeof value !== 'number') continue;
    let histogram = bucket.histograms.get(stage);
    if (!histogram) bucket.histograms.set(stage, (histogram = newHistogram()));
    recordMs(histogram, value);
  }
  bucket.texts.push({
    jobId: record.jobId ?? '',
    file: record.file,
    sizeClass: record.sizeClass,
    reference: truth,
    hypothesis: text,
  });
}

function stagesOf(bucket: Bucket): StageMap {
  const stages: StageMap = {};
  for (const [stage] of MEASURED_STAGES) {
    const histogram = bucket.histograms.get(stage);
    if (histogram) stages[stage] = stageStats(histogram);
  }
  return stages;
}

function accuracyOf(bucket: Bucket, summarise: AccuracySummariser): AccuracySummary | null {
  if (bucket.texts.length === 0) return null;
  return summarise(bucket.texts);
}

function bump(series: number[], atMs: number, by = 1): void {
  const second = Math.max(0, Math.floor(atMs / 1000));
  while (series.length <= second) series.push(0);
  series[second] += by;
}
