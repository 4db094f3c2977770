import type { Comparison, MetricComparison } from './comparison.ts';
import { compareRuns, type LoadedRun } from './compare-runs.ts';
import type { GateDefaults } from './gate-schema.ts';
import { holmAdjust } from './holm.ts';
import { metricById } from './metrics.ts';
import { mannWhitneyPValue, smallestPValue } from './rank-test.ts';

/**
 * The CI gate. A relative or increase check fails when the candidate is worse than
 * allowed and, if the rule asks, significantly so: a one-sided rank test in the "worse"
 * direction, Holm-corrected over those checks. A pre-declared one-sided question ("did it
 * get worse?") is what a gate asks, and it keeps A/A false alarms under alpha.
 */
export type CheckStatus = 'pass' | 'fail' | 'inconclusive' | 'notMeasured';

export interface GateCheck {
  name: string;
  metricId: string;
  rule: string;
  observed: string;
  status: CheckStatus;
  message: string;
  pValue: number | null;
  adjustedPValue: number | null;
}

export interface GateResult {
  /** 0 pass, 1 regression, 3 a run is incomplete (src/cli/exit-codes.ts). */
  exitCode: 0 | 1 | 3;
  passed: boolean;
  checks: GateCheck[];
  incompleteRuns: string[];
  /** What limits the gate's verdict (e.g. too few trials to ever be significant). */
  caveats: string[];
  comparison: Comparison;
}

export interface GateOptions {
  resamples?: number;
  seed?: number;
  now?: Date;
  toolVersion?: string;
  /** Compare every metric, not only the gated ones (for --out reports). */
  allMetrics?: boolean;
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
    jobLevelFallback: gate.jobLevelFallback,
  });
  const byId = new Map(comparison.metrics.map((metric) => [metric.id, metric]));
  const checks: GateCheck[] = [];
  const pending: Array<{ check: GateCheck; worse: boolean; significant: boolean }> = [];

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
      status: 'notMeasured',
      message: `${metric.label} was not measured on both sides.`,
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
    check.pValue = oneSidedP(metric, lowerBetter ? 'greater' : 'less');
    pending.push({ check, worse: worseBy > rule.limit, significant: rule.significant });
  }

  // 2. Holm over the checks that ask for significance, then each status.
  const tested = pending.filter((entry) => entry.significant);
  holmAdjust(tested.map((entry) => entry.check.pValue)).forEach((p, index) => {
    tested[index].check.adjustedPValue = p;
  });
  for (const { check, worse, significant } of pending) {
    const p = check.adjustedPValue;
    if (!worse) {
      check.status = 'pass';
      check.message = `${check.observed}: within the limit.`;
    } else if (!significant || (p !== null && p < gate.alpha)) {
      check.status = 'fail';
      check.message =
        `${check.observed}, limit ${check.rule}` +
        (significant ? `; significant (Holm-adjusted one-sided p = ${fmtP(p)}).` : '.');
    } else {
      check.status = 'inconclusive';
      check.message =
        `${check.observed}, beyond the limit but not significant ` +
        `(adjusted p = ${fmtP(p)} >= alpha ${gate.alpha}); more trials would decide.`;
    }
  }

  // 3. Absolute limits on the candidate's merged summary.
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
      status: 'notMeasured',
      message: `${definition.label} was not measured in the candidate run.`,
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

  // 4. Exit code: an incomplete run outranks a regression, since its numbers are partial.
  const incompleteRuns = [baseline, candidate]
    .filter((loaded) => !loaded.run.complete)
    .map((loaded) => `${loaded.source} (${loaded.run.stopReason})`);
  const undecided = (status: CheckStatus) =>
    (status === 'inconclusive' || status === 'notMeasured') && gate.onInconclusive === 'fail';
  const failed = checks.some((check) => check.status === 'fail' || undecided(check.status));
  const exitCode = incompleteRuns.length > 0 ? 3 : failed ? 1 : 0;
  const caveats = gateCaveats(comparison, tested.length, gate.alpha);
  return { exitCode, passed: exitCode === 0, checks, incompleteRuns, caveats, comparison };
}

/**
 * The comparison's caveats minus its own power notes (they concern compare's two-sided
 * families), plus the gate's: can any outcome of these trial counts be significant?
 */
function gateCaveats(comparison: Comparison, significanceChecks: number, alpha: number) {
  const result = comparison.caveats
    .filter((caveat) => caveat.code !== 'no-power')
    .map((caveat) => `${caveat.source}: ${caveat.message}`);
  const nb = comparison.baseline.trials;
  const nc = comparison.candidate.trials;
  if (comparison.basis === 'trials' && significanceChecks > 0) {
    const smallest = smallestPValue(nb, nc, 'greater');
    if (smallest * significanceChecks >= alpha) {
      result.push(
        `gate: with ${nb} vs ${nc} trials no one-sided p-value can fall below ` +
          `${(alpha / significanceChecks).toPrecision(2)} (alpha ${alpha} over ` +
          `${significanceChecks} checks), so significance checks can never fail; ` +
          'run 5 or more trials per side.',
      );
    }
  }
  return result;
}

/** One-sided p for "candidate is worse"; job-level falls back to the two-sided p. */
function oneSidedP(metric: MetricComparison, direction: 'greater' | 'less'): number | null {
  if (metric.basis === 'jobs') return metric.pValue;
  const b = metric.baseline.trialValues;
  const c = metric.candidate.trialValues;
  if (metric.pValue === null || b.length === 0 || c.length === 0) return null;
  return mannWhitneyPValue(b, c, direction);
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
