import type { DiagnosisThresholds } from './thresholds.ts';

export type Severity = 'info' | 'warning' | 'critical';

/** One conclusion of the diagnosis, with the numbers behind it. */
export interface Finding {
  /** Stable code, e.g. `queue-growing`; docs/observe.md lists each with its threshold. */
  code: string;
  severity: Severity;
  title: string;
  /** Measured facts, each with its numbers and units. */
  evidence: string[];
  /** What to try or check next (Phase 2 of the mandate). */
  suggestion: string;
}

/**
 * Where a job's end-to-end time goes. `startDelay` is the wait inside ocrbench before the
 * upload was sent (the in-flight cap, a generator behind schedule); `unaccounted` is what
 * the stages leave over: poll gaps, the service saving results or handing jobs over.
 */
export type DelayStage =
  'startDelay' | 'upload' | 'queueWait' | 'processing' | 'resultFetch' | 'unaccounted';

export interface StageShare {
  stage: DelayStage;
  /** Sum of this stage over sum of end-to-end, 0..1. */
  shareOfEndToEnd: number;
  p50Ms: number;
  p95Ms: number;
  meanMs: number;
}

export interface StageBreakdown {
  /** Null for all size classes together. */
  sizeClass: string | null;
  jobs: number;
  /** Mean upload size of the jobs, bytes. */
  meanBytes: number;
  endToEndP50Ms: number;
  endToEndP95Ms: number;
  /** Largest share first. */
  shares: StageShare[];
}

export interface Diagnosis {
  /** One line saying where the largest delay is. */
  headline: string;
  largestDelay: StageShare | null;
  overall: StageBreakdown | null;
  bySizeClass: StageBreakdown[];
  /** Most severe first. */
  findings: Finding[];
  thresholds: DiagnosisThresholds;
}
