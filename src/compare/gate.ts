import type { Comparison, MetricComparison } from './comparison.ts';
import { compareRuns, type LoadedRun } from './compare-runs.ts';
import type { GateDefaults } from './gate-schema.ts';
import { holmAdjust } from './holm.ts';
import { metricById, type MetricDefinition } from './metrics.ts';
import { gateCaveats, worseTest } from './gate-stats.ts';
import type { TrialTest } from './trial-test.ts';
import { judge, type VerdictReason } from './verdict.ts';

/**
 * The CI gate. A relative or increase check fails when the candidate is worse than
 * allowed and the verdict rule shared with `compare` (src/compare/verdict.ts) calls it
 * regressed: significantly so (a one-sided test in the "worse" direction, Holm-corrected
 * over the checks that ask for significance: Welch's t-test on log trial values for ratios
 * on few trials, else the exact rank test; src/compare/trial-test.ts), decisively so, or,
 * for a check without `significant`, on its point estimate. A pre-declared one-sided
 * question ("did it get worse?") is what a gate asks, and it keeps A/A false alarms under
 * alpha. Ratio checks
 * (and significance checks) are never judged on fewer than `minTrials` trials per side.
 */
export type CheckStatus = 'pass' | 'fail' | 'inconclusive' | 'notMeasured';

export interface GateCheck {
  name: string;
  metricId: string;
  rule: string;
  observed: string;
  /**
   * Two-sided interval of how much worse the candidate is, at confidence 1 - alpha (the
   * comparison's `settings.confidence`): percent for relative checks, a fraction (points)
   * for increase checks; null when not measured or not on the trial basis.
   */
  interval: { low: number; high: number } | null;
  status: CheckStatus;
  /** Why: the verdict rule behind a relative or increase check (src/compare/verdict.ts). */
  reason: VerdictReason | null;
  message: string;
  /** The one-sided test behind `pValue` (src/compare/trial-test.ts). */
  test: TrialTest | null;
  pValue: number | null;
  adjustedPValue: number | null;
}

export interface GateResult {
  /**
   * 0 pass, 1 regression, 2 relative checks could not be judged on this few trials
   * (`tooFewTrials: error`), 3 a run is incomplete (src/cli/exit-codes.ts).
   */
  exitCode: 0 | 1 | 2 | 3;
  passed: boolean;
  checks: GateCheck[];
  incompleteRuns: string[];
  /**
   * The checks behind exit code 1: `regressed` broke a threshold; `undecided` could not be
   * shown to be within their limits (beyond the limit but not significant, or not measured)
   * and fail only because of `onInconclusive: fail`.
   */
  failedChecks: { regressed: string[]; undecided: string[] };
  /** Set when checks needed more trials than the runs have: what to do about it. */
  tooFewTrials: string | null;
  /** What limits the gate's verdict (e.g. too few trials to ever be significant). */
  caveats: string[];
  comparison: Comparison;
}

export interface GateOptions {
  resamples?: number;
  /** Fewest trials per side for the rank test (COMPARE_DEFAULTS; the benchmark varies it). */
  rankTestMinTrials?: number;
  seed?: number;
  now?: Date;
  toolVersion?: string;
  /** Compare every metric, not only the gated ones (for --out reports). */
  allMetrics?: boolean;
}

interface Pending {
  check: GateCheck;
  definition: MetricDefinition;
  metric: MetricComparison;
  limit: number;
  relative: boolean;
  significant: boolean;
  worse: boolean;
}

export function evaluateGate(
  baseline: LoadedRun,
  candidate: LoadedRun,
  gate: GateDefaults,
  options: GateOptions = {},
): GateResult {
  // Only the metrics the gate checks: the benchmark runs thousands of gates.
  const metricIds = [...Object.keys(gate.relative), ...Object.keys(gate.increase)];
  const comparison = compareRuns(baseline, candidate, {
    ...options,
    metricIds: options.allMetrics ? undefined : metricIds,
    alpha: gate.alpha,
    minTrials: gate.minTrials,
  });
  const settings = comparison.settings;
  const nb = baseline.run.trials.length;
  const nc = candidate.run.trials.length;
  const enough = nb >= gate.minTrials && nc >= gate.minTrials;
  const byId = new Map(comparison.metrics.map((metric) => [metric.id, metric]));
  const checks: GateCheck[] = [];
  const pending: Pending[] = [];

  // 1. Relative and increase checks: how much worse, and the one-sided p-value.
  const rules = [
    ...Object.entries(gate.relative).map(([id, rule]) => ({
      id,
      limit: rule.maxWorsePercent,
      significant: rule.significant,
      relative: true,
    })),
    ...Object.entries(gate.increase).map(([id, rule]) => ({
      id,
      limit: rule.maxIncrease,
      significant: rule.significant,
      relative: false,
    })),
  ];
  for (const rule of rules) {
    const metric = byId.get(rule.id);
    const definition = metricById(rule.id);
    if (!metric || !definition) continue;
    const rulePart = rule.relative
      ? `worse by at most ${rule.limit}%`
      : `rise by at most ${points(rule.limit)}`;
    const check: GateCheck = {
      name: `${rule.relative ? 'relative' : 'increase'} ${rule.id}`,
      metricId: rule.id,
      rule: rulePart + (rule.significant ? ' (fails only if significant)' : ''),
      observed: '',
      interval: null,
      status: 'notMeasured',
      reason: 'notMeasured',
      message: `${metric.label} was not measured on both sides.`,
      test: null,
      pValue: null,
      adjustedPValue: null,
    };
    checks.push(check);
    if (metric.estimate === null) continue;
    const lowerBetter = definition.better === 'lower';
    const worseBy = rule.relative
      ? (lowerBetter ? metric.estimate - 1 : 1 - metric.estimate) * 100
      : lowerBetter
        ? metric.estimate
        : -metric.estimate;
    check.observed = rule.relative ? `${signed(worseBy)}% worse` : `${points(worseBy)} higher`;
    if (metric.interval && metric.basis === 'trials') {
      check.interval = worseInterval(metric.interval, rule.relative, lowerBetter);
    }
    // The gate tests trials only: job-level p-values are overconfident (docs/compare.md).
    if (rule.significant && enough) {
      const tested = worseTest(metric, lowerBetter, settings.rankTestMinTrials);
      check.test = tested?.test ?? null;
      check.pValue = tested?.pValue ?? null;
    }
    pending.push({
      check,
      definition,
      metric,
      limit: rule.limit,
      relative: rule.relative,
      significant: rule.significant,
      worse: worseBy > rule.limit,
    });
  }

  // 2. Holm over the checks that ask for significance, then the shared verdict rule.
  const tested = pending.filter((entry) => entry.check.pValue !== null);
  holmAdjust(tested.map((entry) => entry.check.pValue)).forEach((p, index) => {
    tested[index].check.adjustedPValue = p;
  });
  for (const entry of pending) {
    const { check, definition, metric } = entry;
    const p = check.adjustedPValue;
    const { verdict, reason } = judge(
      {
        kind: definition.kind,
        better: definition.better,
        estimate: metric.estimate,
        interval: null,
        baselineTrials: metric.baseline.trialValues,
        candidateTrials: metric.candidate.trialValues,
        enoughTrials: enough,
        significant: entry.significant && p !== null ? p < gate.alpha : null,
        pointJudged: !entry.significant,
        decisiveAllowed: check.test !== 'welchLogT',
      },
      {
        band: limitAsBand(entry),
        decisiveRatio: settings.decisiveRatio,
        decisiveDifference: settings.decisiveDifference,
      },
    );
    check.reason = reason;
    if (reason === 'tooFewTrials') {
      check.status = 'inconclusive';
      check.message =
        `${check.observed}; not judged: ${nb} vs ${nc} trial(s), and this check needs at ` +
        `least ${gate.minTrials} per side (one run cannot show how much the next differs).`;
    } else if (!entry.worse) {
      check.status = 'pass';
      check.message = `${check.observed}: within the limit.`;
    } else if (verdict === 'regressed') {
      check.status = 'fail';
      check.message =
        `${check.observed}, limit ${check.rule}` + `${because(reason, p, check.test, settings)}.`;
    } else {
      check.status = 'inconclusive';
      check.message =
        `${check.observed}, beyond the limit but not significant ` +
        `(adjusted p = ${fmtP(p)} >= alpha ${gate.alpha}); more trials would decide.`;
    }
  }

  // 3. Absolute limits on the candidate's merged summary: judged on any number of trials.
  for (const [id, limit] of Object.entries(gate.absolute)) {
    const definition = metricById(id);
    if (!definition) continue;
    const value = definition.value(candidate.run.summary);
    const atMost = definition.better === 'lower';
    const rule = `${atMost ? 'at most' : 'at least'} ${show(limit, definition.unit)}`;
    const check: GateCheck = {
      name: `absolute ${id}`,
      metricId: id,
      rule,
      observed: value === null ? 'not measured' : show(value, definition.unit),
      interval: null,
      status: 'notMeasured',
      reason: null,
      message: `${definition.label} was not measured in the candidate run.`,
      test: null,
      pValue: null,
      adjustedPValue: null,
    };
    if (value !== null) {
      const ok = atMost ? value <= limit : value >= limit;
      check.status = ok ? 'pass' : 'fail';
      check.message = `${definition.label} is ${check.observed}; the limit is ${rule}.`;
    }
    checks.push(check);
  }

  // 4. Exit code: an incomplete run outranks a regression, since its numbers are partial;
  // a broken threshold outranks checks that could not be judged.
  const incompleteRuns = [baseline, candidate]
    .filter((loaded) => !loaded.run.complete)
    .map((loaded) => `${loaded.source} (${loaded.run.stopReason})`);
  const unjudged = checks.filter((check) => check.reason === 'tooFewTrials');
  const tooFewTrials =
    unjudged.length > 0
      ? `${unjudged.map((check) => check.name).join(', ')} need at least ${gate.minTrials} ` +
        `trials per side; the runs have ${nb} (baseline) and ${nc} (candidate). Run ` +
        `\`ocrbench run --trials ${Math.max(gate.minTrials, 5)}\` (or \`ocrbench ab --trials ` +
        `${Math.max(gate.minTrials, 5)}\`), or gate on absolute limits only (set those checks ` +
        'to null), or set `tooFewTrials: pass` to let them pass unjudged.'
      : null;
  const undecided = (check: GateCheck) =>
    (check.status === 'inconclusive' || check.status === 'notMeasured') &&
    check.reason !== 'tooFewTrials' &&
    gate.onInconclusive === 'fail';
  const failedChecks = {
    regressed: checks.filter((check) => check.status === 'fail').map((check) => check.name),
    undecided: checks.filter(undecided).map((check) => check.name),
  };
  const failed = failedChecks.regressed.length + failedChecks.undecided.length > 0;
  const exitCode =
    incompleteRuns.length > 0
      ? 3
      : failed
        ? 1
        : tooFewTrials !== null && gate.tooFewTrials === 'error'
          ? 2
          : 0;
  const caveats = gateCaveats(
    comparison,
    tested.map(({ check }) => ({ name: check.name, test: check.test })),
    gate.alpha,
    settings.decisiveRatio,
  );
  if (tooFewTrials !== null && gate.tooFewTrials === 'pass') {
    caveats.unshift(`gate: NOT JUDGED (tooFewTrials: pass): ${tooFewTrials}`);
  }
  return {
    exitCode,
    passed: exitCode === 0,
    checks,
    failedChecks,
    incompleteRuns,
    tooFewTrials,
    caveats,
    comparison,
  };
}

/**
 * The check's limit as the verdict rule's band, so "beyond the band" is exactly "worse than
 * the limit": 1 + L for slower latency, 1 - L for lower throughput (= 1 / (1 + L/(1-L))).
 */
function limitAsBand(entry: Pending): number {
  if (!entry.relative) return entry.limit;
  const fraction = entry.limit / 100;
  if (entry.definition.better === 'lower') return fraction;
  return fraction >= 1 ? Number.POSITIVE_INFINITY : fraction / (1 - fraction);
}

const TEST_NAMES: Record<TrialTest, string> = {
  welchLogT: "Welch's t-test on log trial values",
  mannWhitney: 'exact rank test',
};

function because(
  reason: VerdictReason,
  p: number | null,
  test: TrialTest | null,
  settings: { decisiveRatio: number; decisiveDifference: number },
): string {
  if (reason === 'significant') {
    const how = test === null ? '' : `, ${TEST_NAMES[test]}`;
    return `; significant (Holm-adjusted one-sided p = ${fmtP(p)}${how})`;
  }
  if (reason === 'decisive') {
    return (
      `; decisive: every candidate trial is beyond every baseline trial by more than ` +
      `x${settings.decisiveRatio} (${points(settings.decisiveDifference)} for rates)`
    );
  }
  return '';
}

/** The metric's interval as "worse by": percent for ratios, points (fraction) for rates. */
function worseInterval(
  interval: { low: number; high: number },
  relative: boolean,
  lowerBetter: boolean,
): { low: number; high: number } {
  const scale = relative ? 100 : 1;
  const shift = relative ? 1 : 0;
  // Higher-is-better metrics (throughput) are worse when lower: the ends swap.
  return lowerBetter
    ? { low: (interval.low - shift) * scale, high: (interval.high - shift) * scale }
    : { low: (shift - interval.high) * scale, high: (shift - interval.low) * scale };
}

function signed(value: number): string {
  return `${value >= 0 ? '+' : ''}${value.toFixed(1)}`;
}

function points(fraction: number): string {
  return `${(fraction * 100).toFixed(2)} points`;
}

function show(value: number, unit: string): string {
  if (unit === 'fraction') return `${(value * 100).toFixed(2)}%`;
  if (unit === 'ms') return `${value.toFixed(1)} ms`;
  return `${value.toFixed(3)} ${unit}`;
}

function fmtP(p: number | null): string {
  return p === null ? 'n/a' : p < 0.0001 ? p.toExponential(1) : p.toFixed(4);
}
