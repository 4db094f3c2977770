import { hdrSummary } from '../record/histogram.ts';
import type { JobRecord, RunFile, TrialResult } from '../record/run-file.ts';
import type { Diagnosis, Finding, Severity, StageBreakdown } from './diagnosis-types.ts';
import {
  failureFinding,
  largestDelayFinding,
  outsideOcrFinding,
  processingTrendFinding,
  delayLabel,
  uploadFinding,
} from './findings-jobs.ts';
import { startDelayContext, type StartDelayContext } from './findings-start-delay.ts';
import { generatorFinding } from './findings-generator.ts';
import { resourceFindings, type ResourceContext } from './findings-resources.ts';
import { format } from './series-math.ts';
import {
  breakdownFromJobs,
  breakdownFromStages,
  breakdownsBySizeClass,
  measuredJobs,
} from './stage-shares.ts';
import { DIAGNOSIS_THRESHOLDS as LIMITS } from './thresholds.ts';

export type * from './diagnosis-types.ts';
export { renderDiagnosisMarkdown } from './render-diagnosis.ts';

const SEVERITY_ORDER: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

/**
 * The Phase 1 diagnosis: where the largest delay is, and which known cause the measurements
 * point to. Job-based findings use every measured job; resource findings are computed per
 * trial and merged. Every finding carries its numbers and the threshold it crossed.
 */
export function diagnose(run: RunFile, jobs: JobRecord[]): Diagnosis {
  const measured = measuredJobs(jobs);
  const enough = measured.length >= LIMITS.minimumJobs;
  const overall = enough
    ? breakdownFromJobs(measured, null)
    : breakdownFromStages(run.summary.stages);
  const bySizeClass = enough
    ? breakdownsBySizeClass(measured).filter((group) => group.jobs >= LIMITS.minimumJobs)
    : [];
  const findings: Finding[] = [];

  const cause = startDelayContext(run, measured);
  if (overall) {
    findings.push(largestDelayFinding(overall, bySizeClass, cause));
    pushIf(findings, outsideOcrFinding(overall));
  }
  pushIf(findings, uploadFinding(bySizeClass));
  if (enough) pushIf(findings, processingTrendFinding(measured));
  pushIf(findings, failureFinding(run.summary.jobs, jobs));

  const context: ResourceContext = {
    cpus: Math.max(1, run.host.cpus),
    queueWaitDominant:
      overall?.shares[0]?.stage === 'queueWait' &&
      overall.shares[0].shareOfEndToEnd >= LIMITS.dominantShare,
    contention: enough ? contention(measured) : null,
    processingP50Ms: processingMedian(measured),
    completedJobs: 0,
    interrupted: false,
  };
  const perTrial = run.trials.map((trial, index) => {
    const trialContext: ResourceContext = {
      ...context,
      completedJobs: trial.jobs.completed,
      // Cut short: the queue's series ends before its backlog could drain.
      interrupted:
        trial.jobs.inFlight > 0 ||
        (run.stopReason !== 'finished' && index === run.trials.length - 1),
    };
    return [
      ...resourceFindings(trial, trialContext),
      ...optional(resultFilesFinding(trial, trialContext, overall)),
      ...optional(generatorFinding(run, trial)),
    ];
  });
  findings.push(...mergeTrials(perTrial, run.trials));

  findings.sort((a, b) =>
    a.code === 'largest-delay'
      ? -1
      : b.code === 'largest-delay'
        ? 1
        : SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity],
  );
  const largestDelay = overall?.shares[0] ?? null;
  return {
    headline: headline(overall, cause),
    largestDelay,
    overall,
    bySizeClass,
    findings,
    thresholds: LIMITS,
  };
}

function headline(overall: StageBreakdown | null, cause: StartDelayContext): string {
  const top = overall?.shares[0];
  if (!overall || !top) return 'No completed jobs: there is no delay to locate.';
  return (
    `Largest delay: ${delayLabel(top.stage, cause)}, ` +
    `${format.percent(top.shareOfEndToEnd)} of ` +
    `end-to-end time (p50 ${format.ms(top.p50Ms)}, p95 ${format.ms(top.p95Ms)}; ` +
    `${overall.jobs} jobs)`
  );
}

function pushIf(findings: Finding[], finding: Finding | null): void {
  if (finding) findings.push(finding);
}

function optional(finding: Finding | null): Finding[] {
  return finding ? [finding] : [];
}

/** Processing p50 as run.json reports it (HDR), ms; null when no job measured it. */
function processingMedian(jobs: JobRecord[]): number | null {
  const values = jobs.flatMap((job) => (job.processingMs === undefined ? [] : [job.processingMs]));
  return values.length > 0 ? hdrSummary(values).p50 : null;
}

/** The size class whose median processing is furthest above its fastest job. */
function contention(jobs: JobRecord[]): ResourceContext['contention'] {
  let worst: ResourceContext['contention'] = null;
  for (const sizeClass of new Set(jobs.map((job) => job.sizeClass))) {
    const values = jobs
      .filter((job) => job.sizeClass === sizeClass && (job.processingMs ?? 0) > 0)
      .map((job) => job.processingMs as number);
    if (values.length < LIMITS.minimumJobs) continue;
    const fastestMs = Math.min(...values);
    const p50Ms = hdrSummary(values).p50;
    const ratio = p50Ms / fastestMs;
    if (!worst || ratio > worst.ratio) worst = { ratio, sizeClass, p50Ms, fastestMs };
  }
  return worst;
}

/** The service's own processing_time against the processing ocrbench measured. */
function resultFilesFinding(
  trial: TrialResult,
  context: ResourceContext,
  overall: StageBreakdown | null,
): Finding | null {
  const files = trial.observations.resultFiles;
  if (!files || files.entries === 0) return null;
  const evidence = [
    `${files.files} result files, ${files.entries} entries in ${files.folder}; ` +
      `${files.unmeasured} without a measured processing_time (left out)`,
  ];
  const service = files.processingSeconds;
  if (!service) {
    return {
      code: 'result-files-unmeasured',
      severity: 'info',
      title: 'The result files hold no measured processing_time',
      evidence,
      suggestion: 'Have the service record processing_time for every file it processes.',
    };
  }
  const serviceMs = service.p50 * 1000;
  evidence.push(
    `service processing_time p50 ${format.ms(serviceMs)}, ` +
      `p99 ${format.ms(service.p99 * 1000)}`,
  );
  const measuredMs = context.processingP50Ms;
  const coverage = measuredMs && measuredMs > 0 ? serviceMs / measuredMs : null;
  if (measuredMs !== null)
    evidence.push(`processing measured by ocrbench p50 ` + `${format.ms(measuredMs)}`);
  if (overall)
    evidence.push(
      `end-to-end p50 ${format.ms(overall.endToEndP50Ms)}: about ` +
        `${format.ms(Math.max(0, overall.endToEndP50Ms - serviceMs))} per job is outside OCR`,
    );
  const gap = coverage !== null && coverage < LIMITS.resultFileCoverage;
  if (gap)
    evidence.push(
      `threshold: service p50 < ${format.percent(LIMITS.resultFileCoverage)}` +
        ' of measured processing',
    );
  return {
    code: gap ? 'result-files-gap' : 'result-files',
    severity: gap ? 'warning' : 'info',
    title: gap
      ? `OCR itself is only ${format.percent(coverage as number)} of the processing stage`
      : `The service reports processing_time p50 ${format.ms(serviceMs)}`,
    evidence,
    suggestion: gap
      ? 'The worker spends most of its time around the OCR call: loading the model, ' +
        'decoding or saving files. Add timings around those steps.'
      : 'Compare this with end-to-end time to see how much is lost before and after OCR.',
  };
}

/** One finding per code: evidence from each trial that raised it, the worst severity. */
function mergeTrials(perTrial: Finding[][], trials: TrialResult[]): Finding[] {
  if (perTrial.length === 1) return perTrial[0];
  const merged = new Map<string, Finding>();
  perTrial.forEach((findings, index) => {
    const label = `trial ${trials[index].index}`;
    for (const finding of findings) {
      const evidence = finding.evidence.map((line) => `${label}: ${line}`);
      const seen = merged.get(finding.code);
      if (!seen) {
        merged.set(finding.code, { ...finding, evidence });
        continue;
      }
      seen.evidence.push(...evidence);
      if (SEVERITY_ORDER[finding.severity] < SEVERITY_ORDER[seen.severity]) {
        seen.severity = finding.severity;
      }
    }
  });
  return [...merged.values()];
}
