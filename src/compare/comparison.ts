import type { Caveat, RunFile } from '../record/run-file.ts';
import type { CompareSettings } from './defaults.ts';
import type { Better, MetricFamily, MetricKind } from './metrics.ts';
import type { VerdictReason } from './verdict.ts';

/** The shape of `comparison.json`. Ratios are candidate / baseline; differences c - b. */
export type Verdict = 'improved' | 'regressed' | 'noChange' | 'inconclusive';

/** What the statistics rest on: trials (independent) or jobs (fallback, overconfident). */
export type Basis = 'trials' | 'jobs';

export interface SideValues {
  /** Mean of the trial values (trial basis) or the merged value (job basis). */
  value: number | null;
  /** One value per trial; empty when the metric was not measured. */
  trialValues: number[];
}

export interface MetricComparison {
  id: string;
  label: string;
  unit: 'ms' | 'jobs/s' | 'fraction';
  kind: MetricKind;
  better: Better;
  family: MetricFamily;
  basis: Basis;
  baseline: SideValues;
  candidate: SideValues;
  /** Ratio or difference; null when not measured on both sides. */
  estimate: number | null;
  /** Confidence interval of the estimate at 1 - alpha. */
  interval: { low: number; high: number } | null;
  /** welchLogT: Welch's t-test on log trial values; mannWhitney: exact rank test. */
  test: 'welchLogT' | 'mannWhitney' | 'bootstrap' | 'twoProportion' | null;
  pValue: number | null;
  /** Holm-adjusted within the metric's family. */
  adjustedPValue: number | null;
  verdict: Verdict;
  /** Which rule of src/compare/verdict.ts gave the verdict. */
  verdictReason: VerdictReason;
  /** Numbers of the caveats (1-based, into `caveats`) this metric's row refers to. */
  footnotes: number[];
}

export interface ComparisonCaveat extends Caveat {
  /** `baseline`, `candidate` (carried over from the run) or `comparison`. */
  source: 'baseline' | 'candidate' | 'comparison';
  /** Metrics the caveat is about; empty for the whole comparison. */
  metricIds: string[];
  /**
   * A trial caveat carried over: the 1-based numbers of the side's trials that reported it
   * (grouped by code). Absent for run-level and comparison caveats.
   */
  trials?: number[];
}

export interface RunDescription {
  id: string;
  /** How the user named it: a folder, a run.json path, or `baseline:<name>`. */
  source: string;
  scenario: RunFile['scenario'];
  target: { url: string; profile: string; faults: string[] };
  host: RunFile['host'];
  startedAt: string;
  endedAt: string;
  trials: number;
  complete: boolean;
  stopReason: RunFile['stopReason'];
}

export interface Conclusion {
  verdict: 'improved' | 'regressed' | 'mixed' | 'noChange' | 'inconclusive';
  text: string;
}

export interface Comparison {
  schemaVersion: 1;
  tool: { name: 'ocrbench'; version: string };
  createdAt: string;
  settings: CompareSettings & { confidence: number };
  baseline: RunDescription;
  candidate: RunDescription;
  basis: Basis;
  metrics: MetricComparison[];
  caveats: ComparisonCaveat[];
  conclusion: Conclusion;
}
