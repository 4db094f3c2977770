import { wilcoxonRankSum, cumulativeStdNormalProbability } from 'simple-statistics';

/**
 * Mann-Whitney U (Wilcoxon rank-sum) test with an exact p-value. simple-statistics gives the
 * rank sum with mid-ranks for ties; it has no p-value, so the null distribution is counted
 * here: every way to pick the candidate's n ranks out of the pooled ones is equally likely
 * when both sides come from the same distribution. Exact counting matters with 3-10 trials,
 * where the normal approximation is far off.
 */
export type Alternative = 'twoSided' | 'greater' | 'less';

/** Above this many pooled values the normal approximation is used (it is good there). */
const EXACT_LIMIT = 120;

/**
 * p-value for "candidate differs from / is greater than / is less than baseline".
 * Returns 1 when all values tie (nothing to rank).
 */
export function mannWhitneyPValue(
  baseline: readonly number[],
  candidate: readonly number[],
  alternative: Alternative = 'twoSided',
): number {
  if (baseline.length === 0 || candidate.length === 0) return 1;
  const pooled = [...baseline, ...candidate];
  // Doubled mid-ranks are integers, so sums can index an array exactly.
  const doubledRanks = doubledMidRanks(pooled);
  const n = candidate.length;
  const observed = Math.round(2 * wilcoxonRankSum(candidate, baseline));
  const expected = n * (pooled.length + 1);
  if (pooled.length > EXACT_LIMIT) {
    return normalApproximation(doubledRanks, n, observed, alternative);
  }
  const distribution = subsetSumCounts(doubledRanks, n);
  let total = 0;
  let tail = 0;
  for (let sum = 0; sum < distribution.length; sum++) {
    const ways = distribution[sum];
    if (ways === 0) continue;
    total += ways;
    if (inTail(sum, observed, expected, alternative)) tail += ways;
  }
  return Math.min(1, tail / total);
}

function inTail(sum: number, observed: number, expected: number, alt: Alternative): boolean {
  if (alt === 'greater') return sum >= observed;
  if (alt === 'less') return sum <= observed;
  return Math.abs(sum - expected) >= Math.abs(observed - expected);
}

function doubledMidRanks(values: readonly number[]): number[] {
  const order = values.map((value, index) => ({ value, index })).sort((a, b) => a.value - b.value);
  const ranks = new Array<number>(values.length);
  let start = 0;
  while (start < order.length) {
    let end = start;
    while (end + 1 < order.length && order[end + 1].value === order[start].value) end++;
    // Ranks start+1 .. end+1 share their mean; doubled: start + end + 2.
    for (let i = start; i <= end; i++) ranks[order[i].index] = start + end + 2;
    start = end + 1;
  }
  return ranks;
}

/** counts[s] = number of n-element subsets of `items` whose sum is s. */
function subsetSumCounts(items: number[], n: number): number[] {
  const maxSum = items.reduce((a, b) => a + b, 0);
  // ways[k][s]: subsets of size k with sum s among the items seen so far.
  const ways = Array.from({ length: n + 1 }, () => new Float64Array(maxSum + 1));
  ways[0][0] = 1;
  for (const item of items) {
    for (let k = n; k >= 1; k--) {
      const from = ways[k - 1];
      const to = ways[k];
      for (let s = maxSum - item; s >= 0; s--) if (from[s] !== 0) to[s + item] += from[s];
    }
  }
  return Array.from(ways[n]);
}

function normalApproximation(
  doubledRanks: number[],
  n: number,
  observed: number,
  alternative: Alternative,
): number {
  const total = doubledRanks.length;
  const m = total - n;
  const expected = n * (total + 1);
  // Variance of the doubled rank sum with the tie correction.
  const ranks = doubledRanks.map((rank) => rank / 2);
  const meanRank = (total + 1) / 2;
  const spread = ranks.reduce((sum, rank) => sum + (rank - meanRank) ** 2, 0) / (total - 1);
  const sd = 2 * Math.sqrt((n * m * spread) / total);
  if (sd === 0) return 1;
  const z = (observed - expected) / sd;
  if (alternative === 'greater') return 1 - cumulativeStdNormalProbability(z);
  if (alternative === 'less') return cumulativeStdNormalProbability(z);
  return Math.min(1, 2 * (1 - cumulativeStdNormalProbability(Math.abs(z))));
}

/** Smallest two-sided p-value any outcome can reach with these sample sizes (no ties). */
export function smallestPValue(n: number, m: number, alternative: Alternative): number {
  let combinations = 1;
  for (let i = 1; i <= n; i++) combinations = (combinations * (m + i)) / i;
  return (alternative === 'twoSided' ? 2 : 1) / combinations;
}
