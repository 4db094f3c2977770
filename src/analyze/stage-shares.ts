import { hdrSummary } from '../record/histogram.ts';
import type { JobRecord, StageMap } from '../record/run-file.ts';
import type { DelayStage, StageBreakdown, StageShare } from './diagnosis-types.ts';

const MEASURED_STAGES = ['startDelay', 'upload', 'queueWait', 'processing', 'resultFetch'] as const;
const FIELD = {
  startDelay: 'startDelayMs',
  upload: 'uploadMs',
  queueWait: 'queueWaitMs',
  processing: 'processingMs',
  resultFetch: 'resultFetchMs',
} as const;

/** Jobs the diagnosis measures: completed, after warm-up, with an end-to-end time. */
export function measuredJobs(jobs: JobRecord[]): JobRecord[] {
  return jobs.filter(
    (job) => job.fate === 'completed' && !job.warmup && typeof job.endToEndMs === 'number',
  );
}

/**
 * Percentiles by the HDR histogram run.json uses, never interpolated: the diagnosis and
 * run.json show the same p50 and p95 for the same stage of the same jobs.
 */
const percentiles = hdrSummary;

/**
 * Splits end-to-end time into stages from per-job records. Shares are ratios of sums (the
 * share of all job-time spent in a stage), so they add up to 1 with `unaccounted`.
 */
export function breakdownFromJobs(jobs: JobRecord[], sizeClass: string | null): StageBreakdown {
  const endToEnd = jobs.map((job) => job.endToEndMs as number);
  const totalMs = endToEnd.reduce((sum, value) => sum + value, 0);
  const share = (sum: number) => (totalMs > 0 ? sum / totalMs : 0);
  const shares: StageShare[] = [];
  let accountedMs = 0;

  for (const stage of MEASURED_STAGES) {
    const values = jobs
      .map((job) => job[FIELD[stage]])
      .filter((value): value is number => typeof value === 'number');
    const sum = values.reduce((total, value) => total + value, 0);
    accountedMs += sum;
    const stats = percentiles(values);
    shares.push({
      stage,
      shareOfEndToEnd: share(sum),
      p50Ms: stats.p50,
      p95Ms: stats.p95,
      meanMs: stats.mean,
    });
  }

  const leftOver = jobs.map((job) =>
    Math.max(
      0,
      (job.endToEndMs as number) -
        MEASURED_STAGES.reduce((sum, stage) => sum + (job[FIELD[stage]] ?? 0), 0),
    ),
  );
  const leftStats = percentiles(leftOver);
  shares.push({
    stage: 'unaccounted',
    shareOfEndToEnd: Math.max(0, share(totalMs - accountedMs)),
    p50Ms: leftStats.p50,
    p95Ms: leftStats.p95,
    meanMs: leftStats.mean,
  });

  const endToEndStats = percentiles(endToEnd);
  return {
    sizeClass,
    jobs: jobs.length,
    meanBytes: jobs.reduce((sum, job) => sum + job.bytes, 0) / Math.max(1, jobs.length),
    endToEndP50Ms: endToEndStats.p50,
    endToEndP95Ms: endToEndStats.p95,
    shares: shares.sort((a, b) => b.shareOfEndToEnd - a.shareOfEndToEnd),
  };
}

/** When no job log exists: the same split from run.json's stage means (less exact). */
export function breakdownFromStages(stages: StageMap): StageBreakdown | null {
  const endToEnd = stages.endToEnd;
  if (!endToEnd || endToEnd.count === 0 || endToEnd.meanMs <= 0) return null;
  const shares: StageShare[] = [];
  let accounted = 0;
  for (const stage of MEASURED_STAGES) {
    const stats = stages[stage];
    if (!stats || stats.count === 0) continue;
    // Stages missing in some jobs count as zero there, as in the job-based split.
    const share = (stats.meanMs * stats.count) / (endToEnd.meanMs * endToEnd.count);
    accounted += share;
    shares.push(stageShare(stage, share, stats.p50Ms, stats.p95Ms, stats.meanMs));
  }
  shares.push(stageShare('unaccounted', Math.max(0, 1 - accounted), 0, 0, 0));
  return {
    sizeClass: null,
    jobs: endToEnd.count,
    meanBytes: 0,
    endToEndP50Ms: endToEnd.p50Ms,
    endToEndP95Ms: endToEnd.p95Ms,
    shares: shares.sort((a, b) => b.shareOfEndToEnd - a.shareOfEndToEnd),
  };
}

function stageShare(
  stage: DelayStage,
  shareOfEndToEnd: number,
  p50Ms: number,
  p95Ms: number,
  meanMs: number,
): StageShare {
  return { stage, shareOfEndToEnd, p50Ms, p95Ms, meanMs };
}

/** One breakdown per size class, smallest uploads first. */
export function breakdownsBySizeClass(jobs: JobRecord[]): StageBreakdown[] {
  const groups = new Map<string, JobRecord[]>();
  for (const job of jobs) {
    const group = groups.get(job.sizeClass) ?? [];
    group.push(job);
    groups.set(job.sizeClass, group);
  }
  return [...groups]
    .map(([sizeClass, group]) => breakdownFromJobs(group, sizeClass))
    .sort((a, b) => a.meanBytes - b.meanBytes);
}
