import { gammaln, mean, sampleVariance } from 'simple-statistics';
import type { Alternative } from './rank-test.ts';

/**
 * Welch's t-test, for ratio metrics (latency percentiles, throughput) tested on the
 * logarithms of the trial values: a ratio candidate / baseline is a difference of logs, and
 * run-to-run drift is multiplicative (a busy machine makes every job x1.05 slower), so the
 * logs of the trial values are close to normal with a similar spread on both sides.
 *
 * Why not only the rank test: with 3 trials per side its exact one-sided p-value cannot go
 * below 1/20 = 0.05 whatever the data, so a gate at alpha 0.01 could never call a regression
 * significant. The t-test uses the size of the differences, not only their order, and
 * reaches small p-values when the trials are consistent.
 *
 * simple-statistics gives the means and variances and `gammaln`; its `tTestTwoSample` is
 * Student's pooled-variance statistic without a p-value, and it has no t distribution, so
 * Welch's statistic, its degrees of freedom and the t distribution's tail are written here.
 */
export interface WelchResult {
  /** (mean(candidate) - mean(baseline)) / standard error. */
  t: number;
  /** Welch-Satterthwaite degrees of freedom. */
  df: number;
  pValue: number;
}

/** Welch's test of "candidate differs from / is greater / less than baseline". */
export function welchTTest(
  baseline: readonly number[],
  candidate: readonly number[],
  alternative: Alternative = 'twoSided',
): WelchResult | null {
  const nb = baseline.length;
  const nc = candidate.length;
  if (nb < 2 || nc < 2) return null;
  const vb = sampleVariance(baseline as number[]) / nb;
  const vc = sampleVariance(candidate as number[]) / nc;
  const difference = mean(candidate as number[]) - mean(baseline as number[]);
  const se = Math.sqrt(vb + vc);
  if (se === 0) {
    // Every trial of each side identical: equal means are no evidence of anything; unequal
    // ones are a difference no noise explains (p 0 in its direction).
    const t = difference === 0 ? 0 : difference > 0 ? Infinity : -Infinity;
    return { t, df: nb + nc - 2, pValue: tailP(t, nb + nc - 2, alternative) };
  }
  const t = difference / se;
  const df = (vb + vc) ** 2 / (vb ** 2 / (nb - 1) + vc ** 2 / (nc - 1));
  return { t, df, pValue: tailP(t, df, alternative) };
}

/**
 * Welch's test on the natural logarithms of the values; null when a value is not positive
 * (no logarithm) or a side has fewer than 2 values.
 */
export function logWelchPValue(
  baseline: readonly number[],
  candidate: readonly number[],
  alternative: Alternative = 'twoSided',
): number | null {
  if ([...baseline, ...candidate].some((value) => !(value > 0))) return null;
  return welchTTest(baseline.map(Math.log), candidate.map(Math.log), alternative)?.pValue ?? null;
}

function tailP(t: number, df: number, alternative: Alternative): number {
  if (t === 0) return alternative === 'twoSided' ? 1 : 0.5;
  if (alternative === 'greater') return 1 - studentTCdf(t, df);
  if (alternative === 'less') return studentTCdf(t, df);
  return Math.min(1, 2 * (1 - studentTCdf(Math.abs(t), df)));
}

/**
 * P(T <= t) for Student's t distribution with `df` (> 0, not necessarily whole) degrees of
 * freedom: P(|T| > |t|) = I_x(df/2, 1/2) with x = df / (df + t^2), the regularized
 * incomplete beta function.
 */
export function studentTCdf(t: number, df: number): number {
  if (t === Infinity) return 1;
  if (t === -Infinity) return 0;
  const twoTails = regularizedBeta(df / (df + t * t), df / 2, 0.5);
  return t > 0 ? 1 - twoTails / 2 : twoTails / 2;
}

/** I_x(a, b), the regularized incomplete beta function, by its continued fraction. */
export function regularizedBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const logFront = gammaln(a + b) - gammaln(a) - gammaln(b) + a * Math.log(x) + b * Math.log1p(-x);
  const front = Math.exp(logFront);
  // The fraction converges fast for x < (a + 1) / (a + b + 2); use the symmetry otherwise.
  if (x < (a + 1) / (a + b + 2)) return (front * betaFraction(x, a, b)) / a;
  return 1 - (front * betaFraction(1 - x, b, a)) / b;
}

/** Lentz's evaluation of the incomplete beta continued fraction (Numerical Recipes 6.4). */
function betaFraction(x: number, a: number, b: number): number {
  const TINY = 1e-300;
  const EPSILON = 1e-15;
  const floor = (value: number) => (Math.abs(value) < TINY ? TINY : value);
  let c = 1;
  let d = 1 / floor(1 - ((a + b) * x) / (a + 1));
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    // Even step.
    let term = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 / floor(1 + term * d);
    c = floor(1 + term / c);
    h *= d * c;
    // Odd step.
    term = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 / floor(1 + term * d);
    c = floor(1 + term / c);
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPSILON) break;
  }
  return h;
}
