import { median } from 'simple-statistics';
import { hdrSummary } from '../record/histogram.ts';
import type { JobCounts, JobRecord } from '../record/run-file.ts';
import type { DelayStage, Finding, StageBreakdown, StageShare } from './diagnosis-types.ts';
import {
  startDelayEvidence,
  startDelayLabel,
  startDelaySuggestion,
  type StartDelayContext,
} from './findings-start-delay.ts';
import { fitLine, format } from './series-math.ts';
import { lastErrorLines, lastErrors } from './last-errors.ts';
import { DIAGNOSIS_THRESHOLDS as LIMITS } from './thresholds.ts';

/** Names of the stages as the reports print them. */
export const STAGE_LABEL: Record<StageShare['stage'], string> = {
  startDelay: 'start delay',
  upload: 'upload',
  queueWait: 'queue wait',
  processing: 'processing',
  resultFetch: 'result fetch',
  unaccounted: 'other (poll gaps, saving, hand-offs)',
};

const SUGGESTION: Record<Exclude<StageShare['stage'], 'startDelay'>, string> = {
  queueWait:
    'Jobs wait for a worker: check worker count against cores, and locks that serialise ' +
    'workers (see the CPU findings); more workers only help if CPU is idle.',
  processing:
    'OCR itself dominates: check engine threads (OMP_THREAD_LIMIT), model reloads per job ' +
    'and the BLAS build before touching the queue.',
  upload:
    'Uploads dominate: check request body handling, disk speed of the upload folder, and ' +
    'whether large files are copied or written synchronously.',
  resultFetch: 'Fetching results is slow: check the result endpoint and result file size.',
  unaccounted:
    'Time goes between stages: the poll interval, results being saved, or the hand-off ' +
    'from queue to worker. Prefer server timestamps and shorter polls to narrow it down.',
};

function shareLine(share: StageShare): string {
  return (
    `${STAGE_LABEL[share.stage]}: ${format.percent(share.shareOfEndToEnd)} of end-to-end ` +
    `(p50 ${format.ms(share.p50Ms)}, p95 ${format.ms(share.p95Ms)})`
  );
}

/** A stage's name in a headline or title; a start delay is named by its cause. */
export function delayLabel(stage: DelayStage, cause: StartDelayContext | null): string {
  return stage === 'startDelay' ? startDelayLabel(cause) : STAGE_LABEL[stage];
}

/**
 * Where the largest delay is, overall and per size class. When it is the wait before
 * sending, the in-flight cap or the late generator is named, never the service's upload.
 */
export function largestDelayFinding(
  overall: StageBreakdown,
  bySizeClass: StageBreakdown[],
  cause: StartDelayContext | null = null,
): Finding {
  const top = overall.shares[0];
  const evidence = [
    `${overall.jobs} completed jobs, end-to-end p50 ${format.ms(overall.endToEndP50Ms)}, ` +
      `p95 ${format.ms(overall.endToEndP95Ms)}`,
    ...overall.shares.map(shareLine),
    ...(top.stage === 'startDelay' ? startDelayEvidence(cause) : []),
  ];
  for (const group of bySizeClass) {
    const largest = group.shares[0];
    evidence.push(
      `size class ${group.sizeClass} (${group.jobs} jobs, mean ${format.size(group.meanBytes)}):` +
        ` largest is ${STAGE_LABEL[largest.stage]} at ${format.percent(largest.shareOfEndToEnd)}`,
    );
  }
  const dominant = top.shareOfEndToEnd >= LIMITS.dominantShare;
  return {
    code: 'largest-delay',
    severity: dominant && top.stage !== 'processing' ? 'warning' : 'info',
    title:
      `The largest delay is ${delayLabel(top.stage, cause)}: ` +
      `${format.percent(top.shareOfEndToEnd)} of end-to-end time`,
    evidence,
    suggestion: top.stage === 'startDelay' ? startDelaySuggestion(cause) : SUGGESTION[top.stage],
  };
}

/** Time spent outside OCR: end-to-end minus processing. */
export function outsideOcrFinding(overall: StageBreakdown): Finding | null {
  const processing = overall.shares.find((share) => share.stage === 'processing');
  if (!processing) return null;
  const outside = 1 - processing.shareOfEndToEnd;
  if (outside < LIMITS.outsideOcrShare) return null;
  return {
    code: 'time-outside-ocr',
    severity: 'warning',
    title: `${format.percent(outside)} of each job's time is spent outside OCR`,
    evidence: [
      `processing is ${format.percent(processing.shareOfEndToEnd)} of end-to-end; ` +
        `threshold for this finding: outside share >= ${format.percent(LIMITS.outsideOcrShare)}`,
      ...overall.shares.filter((share) => share.stage !== 'processing').map(shareLine),
    ],
    suggestion:
      'Speeding up OCR cannot help much here: look at the stages before and after it first.',
  };
}

/**
 * Processing time drifting up over the run (temp files piling up, leaks, thermal limits).
 * Each job is divided by its size class's median so a changing mix is not read as a trend.
 */
export function processingTrendFinding(jobs: JobRecord[]): Finding | null {
  const timed = jobs.filter((job) => typeof job.processingMs === 'number');
  if (timed.length < Math.max(LIMITS.minimumJobs, 10)) return null;
  const medians = new Map<string, number>();
  for (const sizeClass of new Set(timed.map((job) => job.sizeClass))) {
    const values = timed.filter((job) => job.sizeClass === sizeClass);
    medians.set(sizeClass, median(values.map((job) => job.processingMs as number)));
  }
  const usable = timed.filter((job) => (medians.get(job.sizeClass) ?? 0) > 0);
  if (usable.length < 10) return null;
  // x: when the job finished, seconds since its trial began; y: relative processing time.
  const xs = usable.map((job) => (job.scheduledAtMs + (job.endToEndMs ?? 0)) / 1000);
  const ys = usable.map((job) => (job.processingMs as number) / (medians.get(job.sizeClass) ?? 1));
  const { slope, rSquared } = fitLine(xs, ys);
  const spanSeconds = Math.max(...xs) - Math.min(...xs);
  const rise = slope * spanSeconds;
  if (rise < LIMITS.processingRiseFraction) return null;
  // Printed as "the median job": the HDR p50, as run.json reports processing.
  const overallMedian = hdrSummary(usable.map((job) => job.processingMs as number)).p50;
  return {
    code: 'processing-trend-up',
    severity: 'warning',
    title: `Processing time rose ${format.percent(rise)} over the run`,
    evidence: [
      `${usable.length} jobs over ${spanSeconds.toFixed(0)} s; fitted slope ` +
        `${format.percent(slope * 60)} of the class median per minute (r² ${rSquared.toFixed(2)})`,
      `at the median job (${format.ms(overallMedian)}) that is about ` +
        `${format.ms(overallMedian * rise)} more at the end than at the start`,
      `threshold: rise >= ${format.percent(LIMITS.processingRiseFraction)} over the run`,
    ],
    suggestion:
      'Something accumulates while the service runs: temporary files or folder listings ' +
      'that grow, memory that is never freed, caches without bounds. See the folder and ' +
      'memory findings, and rerun longer to confirm.',
  };
}

/** Uploads weigh heavily on the largest files: an I/O or body-handling bottleneck. */
export function uploadFinding(bySizeClass: StageBreakdown[]): Finding | null {
  const largest = bySizeClass.at(-1);
  if (!largest) return null;
  const upload = largest.shares.find((share) => share.stage === 'upload');
  if (!upload || upload.shareOfEndToEnd < LIMITS.largestClassUploadShare) return null;
  const evidence = bySizeClass.map((group) => {
    const stage = group.shares.find((share) => share.stage === 'upload') as StageShare;
    const speed = stage.p50Ms > 0 ? group.meanBytes / 1024 / 1024 / (stage.p50Ms / 1000) : 0;
    return (
      `size class ${group.sizeClass}: mean ${format.size(group.meanBytes)}, upload p50 ` +
      `${format.ms(stage.p50Ms)} (${speed.toFixed(1)} MiB/s), ` +
      `${format.percent(stage.shareOfEndToEnd)} of end-to-end`
    );
  });
  evidence.push(
    `threshold: upload >= ${format.percent(LIMITS.largestClassUploadShare)} of end-to-end ` +
      'for the largest size class',
  );
  return {
    code: 'upload-heavy',
    severity: 'warning',
    title: `Uploads take ${format.percent(upload.shareOfEndToEnd)} of the largest files' time`,
    evidence,
    suggestion:
      'Stream uploads to a fast disk instead of buffering and copying them; write them ' +
      'without a flush per file; process very large files in chunks.',
  };
}

/**
 * Jobs that did not complete distort every other number. The evidence names the commonest
 * last errors from the job log (empty without one): a count alone does not say what to fix.
 */
export function failureFinding(counts: JobCounts, jobs: JobRecord[] = []): Finding | null {
  const bad = counts.failed + counts.timedOut + counts.lost;
  if (counts.submitted === 0 || bad / counts.submitted < LIMITS.failureRate) return null;
  const classes = Object.entries(counts.failedByClass)
    .map(([name, count]) => `${name} ${count}`)
    .join(', ');
  return {
    code: 'jobs-failing',
    severity: 'critical',
    title: `${format.percent(bad / counts.submitted)} of jobs did not complete`,
    evidence: [
      `submitted ${counts.submitted}: completed ${counts.completed}, failed ${counts.failed}` +
        `, timed out ${counts.timedOut}, lost ${counts.lost}`,
      ...(classes ? [`failures by class: ${classes}`] : []),
      ...lastErrorLines(lastErrors(jobs)).map((line) => `last errors: ${line}`),
      `threshold: >= ${format.percent(LIMITS.failureRate)} of submitted`,
    ],
    suggestion:
      'Fix failures before tuning speed: latency of the jobs that did complete is biased.',
  };
}
