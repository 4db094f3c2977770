import type { Interval } from './bootstrap.ts';
import type { Conclusion, MetricComparison, Verdict } from './comparison.ts';
import type { MetricDefinition } from './metrics.ts';

/**
 * A verdict needs both a significant (Holm-adjusted) test and an interval that excludes
 * "no change". Without significance, a narrow interval inside the equivalence band means
 * "no change"; anything wider means the trials cannot tell, and we say so.
 */
export function verdictFor(
  metric: MetricDefinition,
  estimate: number | null,
  interval: Interval | null,
  adjustedPValue: number | null,
  alpha: number,
  equivalence: number,
): Verdict {
  if (estimate === null || !Number.isFinite(estimate)) return 'inconclusive';
  const none = metric.kind === 'ratio' ? 1 : 0;
  const excludesNone = interval !== null && (interval.low > none || interval.high < none);
  if (adjustedPValue !== null && adjustedPValue < alpha && excludesNone) {
    const higher = estimate > none;
    return higher === (metric.better === 'higher') ? 'improved' : 'regressed';
  }
  if (interval === null) {
    // A point estimate alone (e.g. job-level CER): "no change" only if it is inside the band.
    return Math.abs(estimate - none) <= bandHalfWidth(metric, equivalence, estimate)
      ? 'noChange'
      : 'inconclusive';
  }
  const [low, high] =
    metric.kind === 'ratio'
      ? [1 / (1 + equivalence), 1 + equivalence]
      : [-equivalence, equivalence];
  return interval.low >= low && interval.high <= high ? 'noChange' : 'inconclusive';
}

function bandHalfWidth(metric: MetricDefinition, equivalence: number, estimate: number): number {
  if (metric.kind === 'difference') return equivalence;
  return estimate < 1 ? 1 - 1 / (1 + equivalence) : equivalence;
}

/** The overall verdict rests on the primary metrics only. */
export function conclude(metrics: MetricComparison[]): Conclusion {
  const primary = metrics.filter((metric) => metric.family === 'primary');
  const named = (verdict: Verdict) =>
    primary.filter((metric) => metric.verdict === verdict).map((metric) => metric.label);
  const improved = named('improved');
  const regressed = named('regressed');
  const unclear = named('inconclusive');
  if (regressed.length > 0 && improved.length > 0) {
    return {
      verdict: 'mixed',
      text: `Mixed: ${list(improved)} improved, but ${list(regressed)} regressed.`,
    };
  }
  if (regressed.length > 0) {
    return { verdict: 'regressed', text: `The candidate is worse: ${list(regressed)} regressed.` };
  }
  if (improved.length > 0) {
    const rest = unclear.length > 0 ? `; ${list(unclear)} could not be decided` : '';
    return {
      verdict: 'improved',
      text: `The candidate is better: ${list(improved)} improved, nothing regressed${rest}.`,
    };
  }
  if (unclear.length > 0) {
    return {
      verdict: 'inconclusive',
      text:
        `Inconclusive: the trials cannot tell whether ${list(unclear)} changed. ` +
        'Run more trials (see the footnotes).',
    };
  }
  return {
    verdict: 'noChange',
    text: 'No significant change in any primary metric; the intervals rule out large changes.',
  };
}

function list(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
