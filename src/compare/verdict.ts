import type { Interval } from './bootstrap.ts';
import type { Conclusion, MetricComparison, Verdict } from './comparison.ts';
import type { Better, MetricKind } from './metrics.ts';

/**
 * The one verdict rule of `compare` and `gate`. They differ only in the question the test
 * answers (compare: two-sided, Holm over each family of metrics; gate: one-sided "worse",
 * Holm over its significance checks) and in the band (compare: the no-change band; gate:
 * the check's limit). Rules, first match wins:
 *
 * 1. not measured on both sides: inconclusive;
 * 2. a ratio metric (latency, throughput) with fewer than `minTrials` trials on a side:
 *    inconclusive, since one run's jobs cannot show how much the next run would differ;
 * 3. point-judged (CER, or a gate check without `significant`): beyond the band is a
 *    change, inside it none;
 * 4. decisive: every candidate trial beyond every baseline trial by more than the decisive
 *    margin (x1.5 for ratios, 5 points for rates): a change no interval can explain away.
 *    Not for ratios tested with Welch's t-test (`decisiveAllowed: false`): that test reaches
 *    small p-values from consistent trials by itself, while the x1.5 margin ignores the
 *    spread and calls a very noisy machine's A/A "decisive" (bench/gate-false-alarms.ts);
 * 5. significant (trial basis only): the caller's test is significant: a change;
 * 6. the interval (trial basis only) lies inside the band: no change;
 * 7. otherwise inconclusive: the trials cannot tell.
 */
export type VerdictReason =
  | 'notMeasured'
  | 'tooFewTrials'
  | 'point'
  | 'decisive'
  | 'significant'
  | 'equivalent'
  | 'undecided';

export interface Evidence {
  kind: MetricKind;
  better: Better;
  /** Ratio (candidate / baseline) or difference (candidate - baseline); null: not measured. */
  estimate: number | null;
  /** Interval of the estimate; only trial-basis intervals count towards "no change". */
  interval: Interval | null;
  baselineTrials: readonly number[];
  candidateTrials: readonly number[];
  /** Both sides have at least `minTrials` trials, so trial-level statistics apply. */
  enoughTrials: boolean;
  /** The caller's significance test rejected "no change"; null when not tested. */
  significant: boolean | null;
  /** Judge the point estimate against the band, without a test (rule 3). */
  pointJudged: boolean;
  /**
   * Rule 4 may apply: false for ratio metrics whose test is Welch's t-test on log trial
   * values (src/compare/trial-test.ts); absent means true.
   */
  decisiveAllowed?: boolean;
}

export interface Criteria {
  /** Half-width of the no-change band: a fraction for ratios (0.05 = 1/1.05 .. 1.05), points. */
  band: number;
  decisiveRatio: number;
  decisiveDifference: number;
}

export interface Judgement {
  verdict: Verdict;
  reason: VerdictReason;
}

export function judge(evidence: Evidence, criteria: Criteria): Judgement {
  const { estimate, kind } = evidence;
  const none = kind === 'ratio' ? 1 : 0;
  const changed = (higher: boolean): Verdict =>
    higher === (evidence.better === 'higher') ? 'improved' : 'regressed';
  if (estimate === null || !Number.isFinite(estimate)) {
    return { verdict: 'inconclusive', reason: 'notMeasured' };
  }
  if (kind === 'ratio' && !evidence.enoughTrials) {
    return { verdict: 'inconclusive', reason: 'tooFewTrials' };
  }
  if (evidence.pointJudged) {
    const [low, high] = band(kind, criteria.band);
    if (estimate > high || estimate < low)
      return { verdict: changed(estimate > none), reason: 'point' };
    return { verdict: 'noChange', reason: 'point' };
  }
  const decisive =
    evidence.decisiveAllowed === false ? null : decisiveDirection(evidence, criteria);
  if (decisive !== null) return { verdict: changed(decisive === 'higher'), reason: 'decisive' };
  if (!evidence.enoughTrials) return { verdict: 'inconclusive', reason: 'tooFewTrials' };
  if (evidence.significant === true && estimate !== none) {
    return { verdict: changed(estimate > none), reason: 'significant' };
  }
  if (evidence.interval) {
    const [low, high] = band(kind, criteria.band);
    if (evidence.interval.low >= low && evidence.interval.high <= high) {
      return { verdict: 'noChange', reason: 'equivalent' };
    }
  }
  return { verdict: 'inconclusive', reason: 'undecided' };
}

/** The no-change band: 1/(1+e) .. 1+e for ratios (symmetric in log scale), -e .. e else. */
export function band(kind: MetricKind, halfWidth: number): [number, number] {
  return kind === 'ratio' ? [1 / (1 + halfWidth), 1 + halfWidth] : [-halfWidth, halfWidth];
}

/**
 * 'higher' when the smallest candidate trial exceeds the largest baseline trial by the
 * decisive margin, 'lower' for the mirror image, else null. Ratios need `enoughTrials`
 * (rule 2 returned earlier otherwise); rates are counts of jobs and may be judged from one
 * trial per side.
 */
function decisiveDirection(evidence: Evidence, criteria: Criteria): 'higher' | 'lower' | null {
  const b = evidence.baselineTrials;
  const c = evidence.candidateTrials;
  if (b.length === 0 || c.length === 0) return null;
  const bMin = Math.min(...b);
  const bMax = Math.max(...b);
  const cMin = Math.min(...c);
  const cMax = Math.max(...c);
  if (evidence.kind === 'ratio') {
    const r = criteria.decisiveRatio;
    if (bMax > 0 && cMin > bMax * r) return 'higher';
    if (bMin > 0 && cMax * r < bMin) return 'lower';
    return null;
  }
  const d = criteria.decisiveDifference;
  if (cMin - bMax > d) return 'higher';
  if (bMin - cMax > d) return 'lower';
  return null;
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
