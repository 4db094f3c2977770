import { z } from 'zod';
import { METRICS } from './metrics.ts';

/**
 * The gate file (YAML or JSON), also embeddable as a scenario's `gate:` section. Every
 * section is merged key by key over {@link GATE_DEFAULTS}; a `null` value removes a default
 * check. Metric ids are those of comparison.json (`endToEnd.p95Ms`, `errorRate` ...).
 */
export interface RelativeRule {
  /** How much worse than the baseline the candidate may be, percent of the baseline. */
  maxWorsePercent: number;
  /**
   * Fail only when the change is also significant (one-sided test, Holm): Welch's t-test on
   * log trial values for fewer than 6 trials per side, else the exact rank test.
   */
  significant: boolean;
}

export interface IncreaseRule {
  /** How much the rate may rise, absolute points as a fraction (0.002 = 0.2 points). */
  maxIncrease: number;
  significant: boolean;
}

export interface GateDefaults {
  /**
   * Significance level of the gate's one-sided tests, Holm-corrected over the checks
   * that ask for significance. 0.01 keeps A/A false alarms at or under 1%.
   * @default 0.01
   */
  alpha: number;
  /**
   * Fewest trials per side to judge relative checks and significance checks. Below it they
   * are not judged (jobs of one run are not independent samples); absolute limits and
   * checks without `significant` are judged on any number of trials.
   * @default 3
   */
  minTrials: number;
  /**
   * What checks that could not be judged for too few trials do to the exit code: `error`
   * exits 2 (the workflow runs too few trials to gate on them: fix it once), `pass` lets
   * them pass with a warning in every output.
   * @default 'error'
   */
  tooFewTrials: 'error' | 'pass';
  /**
   * What an undecidable check (not significant, or not measured) does to the exit code.
   * @default 'pass'
   */
  onInconclusive: 'pass' | 'fail';
  /**
   * Ratio checks against the baseline.
   * @default { 'endToEnd.p95Ms': { maxWorsePercent: 5, significant: true },
   *   'throughput.completedPerSecond': { maxWorsePercent: 3, significant: true } }
   */
  relative: Record<string, RelativeRule>;
  /**
   * Rate checks against the baseline, in absolute points.
   * @default { cer: { maxIncrease: 0.002, significant: false } }
   */
  increase: Record<string, IncreaseRule>;
  /**
   * Limits on the candidate alone: at most N for lower-is-better metrics, at least N for
   * throughput.
   * @default { errorRate: 0.005, lostRate: 0 }
   */
  absolute: Record<string, number>;
}

export const GATE_DEFAULTS: Readonly<GateDefaults> = Object.freeze({
  alpha: 0.01,
  minTrials: 3,
  tooFewTrials: 'error',
  onInconclusive: 'pass',
  relative: {
    'endToEnd.p95Ms': { maxWorsePercent: 5, significant: true },
    'throughput.completedPerSecond': { maxWorsePercent: 3, significant: true },
  },
  increase: { cer: { maxIncrease: 0.002, significant: false } },
  absolute: { errorRate: 0.005, lostRate: 0 },
});

const ids = (kind: 'ratio' | 'difference' | null) =>
  METRICS.filter((m) => kind === null || m.kind === kind).map((m) => m.id) as [string, ...string[]];

export const RATIO_METRIC_IDS = ids('ratio');
export const DIFFERENCE_METRIC_IDS = ids('difference');
export const ALL_METRIC_IDS = ids(null);

const relativeRule = z
  .strictObject({
    maxWorsePercent: z
      .number()
      .min(0)
      .describe('Percent of the baseline the candidate may be worse by.'),
    significant: z
      .boolean()
      .default(true)
      .describe('Fail only when significant (or decisive) too; false: on the point estimate.'),
  })
  .describe('A ratio check against the baseline; null removes a default one.');

const increaseRule = z
  .strictObject({
    maxIncrease: z.number().min(0).max(1).describe('Rise allowed, as a fraction (0.002).'),
    significant: z
      .boolean()
      .default(false)
      .describe('Fail only when significant (or decisive) too; false: on the point estimate.'),
  })
  .describe('A rate check against the baseline, in absolute points; null removes one.');

export const gateSchema = z
  .strictObject({
    alpha: z
      .number()
      .gt(0)
      .lt(0.5)
      .default(GATE_DEFAULTS.alpha)
      .describe('Significance level of the one-sided tests, Holm over the significance checks.'),
    minTrials: z
      .number()
      .int()
      .min(2)
      .default(GATE_DEFAULTS.minTrials)
      .describe('Fewest trials per side to judge relative and significance checks.'),
    tooFewTrials: z
      .enum(['error', 'pass'])
      .default(GATE_DEFAULTS.tooFewTrials)
      .describe('Checks not judged for too few trials: exit 2 (`error`) or pass with a warning.'),
    onInconclusive: z
      .enum(['pass', 'fail'])
      .default(GATE_DEFAULTS.onInconclusive)
      .describe('Exit code of checks beyond the limit but not significant, or not measured.'),
    relative: z
      .partialRecord(z.enum(RATIO_METRIC_IDS), relativeRule.nullable())
      .default({})
      .describe('Ratio checks by metric id, merged over the defaults (docs/compare.md).'),
    increase: z
      .partialRecord(z.enum(DIFFERENCE_METRIC_IDS), increaseRule.nullable())
      .default({})
      .describe('Rate checks by metric id, merged over the defaults.'),
    absolute: z
      .partialRecord(z.enum(ALL_METRIC_IDS), z.number().min(0).nullable())
      .default({})
      .describe('Limits on the candidate alone by metric id (at most; at least for throughput).'),
  })
  .describe('Regression thresholds for `ocrbench gate` (docs/compare.md).');

export type GateFile = z.infer<typeof gateSchema>;

/** The checks in force: the file's sections merged over the defaults, nulls removed. */
export function resolveGate(file: Partial<GateFile> = {}): GateDefaults {
  const merge = <T>(defaults: Record<string, T>, given: Partial<Record<string, T | null>> = {}) => {
    const result: Record<string, T> = { ...defaults };
    for (const [key, value] of Object.entries(given)) {
      if (value === null) delete result[key];
      else if (value !== undefined) result[key] = value;
    }
    return result;
  };
  return {
    alpha: file.alpha ?? GATE_DEFAULTS.alpha,
    minTrials: file.minTrials ?? GATE_DEFAULTS.minTrials,
    tooFewTrials: file.tooFewTrials ?? GATE_DEFAULTS.tooFewTrials,
    onInconclusive: file.onInconclusive ?? GATE_DEFAULTS.onInconclusive,
    relative: merge(GATE_DEFAULTS.relative, file.relative),
    increase: merge(GATE_DEFAULTS.increase, file.increase),
    absolute: merge(GATE_DEFAULTS.absolute, file.absolute),
  };
}
