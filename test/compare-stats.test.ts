import { describe, expect, it } from 'vitest';
import { bootstrapInterval } from '../src/compare/bootstrap.ts';
import { compareRuns } from '../src/compare/compare-runs.ts';
import { holmAdjust } from '../src/compare/holm.ts';
import { seededRandom } from '../src/util/random.ts';
import { mannWhitneyPValue, smallestPValue } from '../src/compare/rank-test.ts';
import { logWelchPValue, studentTCdf, welchTTest } from '../src/compare/t-test.ts';
import { trialTest } from '../src/compare/trial-test.ts';
import { judge } from '../src/compare/verdict.ts';
import { makeRun } from './helpers/make-run.ts';

const loaded = (run: ReturnType<typeof makeRun>) => ({ run, source: run.id, dir: '.' });

describe('Mann-Whitney exact p-values', () => {
  it('matches the counted null distribution for fully separated samples', () => {
    // 3 vs 3: 20 equally likely rank splits; the most extreme one each way -> 2/20.
    expect(mannWhitneyPValue([1, 2, 3], [4, 5, 6])).toBeCloseTo(0.1, 12);
    expect(mannWhitneyPValue([1, 2, 3], [4, 5, 6], 'greater')).toBeCloseTo(0.05, 12);
    expect(mannWhitneyPValue([1, 2, 3], [4, 5, 6], 'less')).toBeCloseTo(1, 12);
    expect(mannWhitneyPValue([1, 2, 3, 4, 5], [6, 7, 8, 9, 10])).toBeCloseTo(2 / 252, 12);
    expect(smallestPValue(5, 5, 'twoSided')).toBeCloseTo(2 / 252, 12);
  });

  it('handles ties with mid-ranks and gives 1 when everything ties', () => {
    expect(mannWhitneyPValue([0, 0, 0], [0, 0, 0])).toBe(1);
    // Mid-ranks 1.5,1.5,3.5,3.5,5.5,5.5; candidate sum 14.5 is the maximum, reached by 2 of
    // the 20 splits (either 3.5), and 2 more are as extreme the other way: p = 4/20.
    const p = mannWhitneyPValue([1, 1, 2], [2, 3, 3]);
    expect(p).toBeCloseTo(0.2, 12);
  });

  it('agrees with a textbook value for interleaved samples', () => {
    // U = 3 for n = m = 4 (candidate ranks 3,5,7,8 -> W = 23): exact two-sided p = 0.2.
    expect(mannWhitneyPValue([1, 2, 4, 6], [3, 5, 7, 8])).toBeCloseTo(0.2, 12);
  });
});

describe("Welch's t-test", () => {
  it('has the t distribution of the closed forms and the tables', () => {
    for (const t of [-3, -0.5, 0.3, 1, 2.5, 40]) {
      // df 1 is the Cauchy distribution; df 2 has a closed form too.
      expect(studentTCdf(t, 1)).toBeCloseTo(0.5 + Math.atan(t) / Math.PI, 12);
      expect(studentTCdf(t, 2)).toBeCloseTo(0.5 + t / (2 * Math.sqrt(2 + t * t)), 12);
    }
    // Two-sided 5% and 1% critical values of t with 4 degrees of freedom.
    expect(studentTCdf(2.776445105, 4)).toBeCloseTo(0.975, 9);
    expect(studentTCdf(4.604094871, 4)).toBeCloseTo(0.995, 9);
    expect(studentTCdf(1.959963985, 1e7)).toBeCloseTo(0.975, 6);
  });

  it("matches R's t.test (Welch) and handles identical trials", () => {
    // R: t.test(c(3, 4, 5, 6), c(1, 2, 3, 4)) -> t = 2.1909, df = 6, p-value = 0.07099
    const result = welchTTest([1, 2, 3, 4], [3, 4, 5, 6])!;
    expect(result.t).toBeCloseTo(2.19089023, 7);
    expect(result.df).toBeCloseTo(6, 12);
    expect(result.pValue).toBeCloseTo(0.0709877, 6);
    expect(welchTTest([1, 2, 3, 4], [3, 4, 5, 6], 'greater')!.pValue).toBeCloseTo(0.0354938, 6);
    expect(welchTTest([200, 200, 200], [200, 200, 200])!.pValue).toBe(1);
    expect(welchTTest([200, 200], [210, 210], 'greater')!.pValue).toBe(0);
    expect(welchTTest([1], [2, 3])).toBeNull();
  });

  it('is used for ratios on few trials; the rank test for rates and from 6 trials on', () => {
    const b = [100, 103, 98];
    const c = [130, 127, 133];
    expect(trialTest('ratio', b, c, 'greater', 6).test).toBe('welchLogT');
    // The rank test cannot go below 1/20 on 3 vs 3; the t-test on logs can.
    expect(trialTest('ratio', b, c, 'greater', 0).pValue).toBeCloseTo(0.05, 12);
    expect(trialTest('ratio', b, c, 'greater', 6).pValue).toBeLessThan(0.001);
    expect(logWelchPValue(b, c, 'greater')).toBe(trialTest('ratio', b, c, 'greater', 6).pValue);
    const six = [1, 2, 3, 4, 5, 6];
    expect(trialTest('ratio', six, six, 'twoSided', 6).test).toBe('mannWhitney');
    expect(trialTest('difference', b, c, 'twoSided', 6).test).toBe('mannWhitney');
    // No logarithm of 0: the rank test.
    expect(trialTest('ratio', [0, 1, 2], c, 'twoSided', 6).test).toBe('mannWhitney');
  });
});

describe('Holm-Bonferroni', () => {
  it('steps down and stays monotone', () => {
    const adjusted = holmAdjust([0.01, 0.04, 0.03, null, 0.5]);
    expect(adjusted[0]).toBeCloseTo(0.04, 12); // 4 * 0.01
    expect(adjusted[2]).toBeCloseTo(0.09, 12); // 3 * 0.03
    expect(adjusted[1]).toBeCloseTo(0.09, 12); // max(2 * 0.04, 0.09)
    expect(adjusted[3]).toBeNull();
    expect(adjusted[4]).toBeCloseTo(0.5, 12);
  });
});

describe('bootstrap intervals', () => {
  it('is reproducible with a seed and brackets the ratio of means', () => {
    const b = [100, 104, 98, 101, 99];
    const c = [110, 113, 108, 111, 109];
    const options = { resamples: 2000, confidence: 0.95 };
    const one = bootstrapInterval('ratio', b, c, { ...options, random: seededRandom(3) });
    const two = bootstrapInterval('ratio', b, c, { ...options, random: seededRandom(3) });
    expect(one).toEqual(two);
    expect(one!.low).toBeGreaterThan(1.07);
    expect(one!.high).toBeLessThan(1.13);
  });
});

describe('compareRuns', () => {
  it('calls a 30% latency regression with 8 trials per side', () => {
    const baseline = makeRun({ id: 'b', seed: 1, trials: 8, jobsPerTrial: 150 });
    const candidate = makeRun({
      id: 'c',
      seed: 2,
      trials: 8,
      jobsPerTrial: 150,
      latencyFactor: 1.3,
    });
    const comparison = compareRuns(loaded(baseline), loaded(candidate), { resamples: 2000 });
    const p95 = comparison.metrics.find((m) => m.id === 'endToEnd.p95Ms')!;
    expect(p95.basis).toBe('trials');
    expect(p95.verdict).toBe('regressed');
    expect(p95.estimate!).toBeGreaterThan(1.2);
    expect(p95.estimate!).toBeLessThan(1.4);
    expect(p95.interval!.low).toBeGreaterThan(1);
    expect(comparison.metrics.find((m) => m.id === 'upload.p50Ms')!.verdict).toBe('regressed');
    expect(comparison.metrics.find((m) => m.id === 'errorRate')!.verdict).toBe('noChange');
    expect(comparison.conclusion.verdict).toBe('regressed');
  });

  it('calls the reverse an improvement', () => {
    const slow = makeRun({ id: 'slow', seed: 5, trials: 8, jobsPerTrial: 150, latencyFactor: 1.3 });
    const fast = makeRun({ id: 'fast', seed: 6, trials: 8, jobsPerTrial: 150 });
    const comparison = compareRuns(loaded(slow), loaded(fast), { resamples: 2000 });
    expect(comparison.metrics.find((m) => m.id === 'endToEnd.p95Ms')!.verdict).toBe('improved');
    expect(comparison.conclusion.verdict).toBe('improved');
  });

  it('finds nothing in an A/A comparison', () => {
    const a = makeRun({ id: 'a1', seed: 11, trials: 6, jobsPerTrial: 150 });
    const b = makeRun({ id: 'a2', seed: 12, trials: 6, jobsPerTrial: 150 });
    const comparison = compareRuns(loaded(a), loaded(b), { resamples: 2000 });
    const called = comparison.metrics.filter(
      (m) => m.verdict === 'improved' || m.verdict === 'regressed',
    );
    expect(called).toEqual([]);
    expect(['noChange', 'inconclusive']).toContain(comparison.conclusion.verdict);
  });

  it('shows job-level hints for single-trial runs, but no latency verdict', () => {
    const a = makeRun({ id: 'one-a', seed: 21, trials: 1, jobsPerTrial: 400 });
    const b = makeRun({ id: 'one-b', seed: 22, trials: 1, jobsPerTrial: 400, latencyFactor: 1.5 });
    const comparison = compareRuns(loaded(a), loaded(b), { resamples: 2000 });
    expect(comparison.basis).toBe('jobs');
    expect(comparison.caveats.map((c) => c.code)).toEqual(
      expect.arrayContaining(['few-trials', 'job-level']),
    );
    const p95 = comparison.metrics.find((m) => m.id === 'endToEnd.p95Ms')!;
    // The job-level interval is there as a hint; one run cannot show the next run's spread.
    expect(p95.interval!.low).toBeGreaterThan(1.3);
    expect(p95.verdict).toBe('inconclusive');
    expect(p95.verdictReason).toBe('tooFewTrials');
    expect(comparison.conclusion.verdict).toBe('inconclusive');
  });

  it('calls nothing in a single-trial A/A comparison (job level never guesses)', () => {
    for (const seed of [41, 43, 45, 47]) {
      const a = makeRun({ id: 'aa1', seed, trials: 1, jobsPerTrial: 300, trialDrift: 0.08 });
      const b = makeRun({
        id: 'aa2',
        seed: seed + 1,
        trials: 1,
        jobsPerTrial: 300,
        trialDrift: 0.08,
      });
      const comparison = compareRuns(loaded(a), loaded(b), { resamples: 1000 });
      const called = comparison.metrics.filter(
        (m) => m.verdict === 'improved' || m.verdict === 'regressed',
      );
      expect(called.map((m) => m.id)).toEqual([]);
      expect(comparison.metrics.find((m) => m.id === 'cer')!.verdict).toBe('noChange');
    }
  });

  it('gives p = 1 at job level when every job takes exactly the same time on both sides', () => {
    // sigma 0 and no drift: every job's processing is exactly 200 ms, on both sides.
    const exact = { upload: 40, queueWait: 600, processing: 200, resultFetch: 8 };
    const options = { trials: 1, jobsPerTrial: 300, sigma: 0, trialDrift: 0, medianMs: exact };
    const a = makeRun({ id: 'tie-a', seed: 91, completedPerSecond: 4, ...options });
    const b = makeRun({ id: 'tie-b', seed: 92, completedPerSecond: 3.6, ...options });
    const comparison = compareRuns(loaded(a), loaded(b), { resamples: 2000 });
    expect(comparison.basis).toBe('jobs');
    const processing = comparison.metrics.find((m) => m.id === 'processing.p50Ms')!;
    expect(processing.baseline.value).toBeCloseTo(200, 0);
    expect(processing.candidate.value).toBe(processing.baseline.value);
    expect(processing.estimate).toBe(1);
    expect(processing.interval).toEqual({ low: 1, high: 1 });
    expect(processing.pValue).toBe(1);
    for (const metric of comparison.metrics.filter((m) => m.unit === 'ms')) {
      expect(metric.pValue, metric.id).toBe(1);
    }
    // Throughput: the change is the ratio of the values shown, untested at job level.
    const throughput = comparison.metrics.find((m) => m.id === 'throughput.completedPerSecond')!;
    expect(throughput.baseline.value).toBe(a.summary.throughput.completedPerSecond);
    expect(throughput.candidate.value).toBe(b.summary.throughput.completedPerSecond);
    expect(throughput.baseline.value).not.toBe(throughput.candidate.value);
    expect(throughput.estimate).toBeCloseTo(
      throughput.candidate.value! / throughput.baseline.value!,
      12,
    );
    expect([throughput.interval, throughput.pValue, throughput.test]).toEqual([null, null, null]);
    expect(throughput.verdictReason).toBe('tooFewTrials');
  });

  it('says inconclusive, not a guess, with too few trials and no fallback', () => {
    const a = makeRun({ id: 'x', seed: 31, trials: 2, jobsPerTrial: 100 });
    const b = makeRun({ id: 'y', seed: 32, trials: 2, jobsPerTrial: 100, latencyFactor: 2 });
    const comparison = compareRuns(loaded(a), loaded(b), { jobLevelFallback: false });
    const ratios = comparison.metrics.filter((m) => m.kind === 'ratio');
    expect(ratios.every((m) => m.verdict === 'inconclusive')).toBe(true);
    expect(ratios.every((m) => m.verdictReason === 'tooFewTrials')).toBe(true);
    // Rates and CER are counts of jobs and deterministic text: judged on two trials too.
    expect(comparison.metrics.find((m) => m.id === 'errorRate')!.verdict).toBe('inconclusive');
    expect(comparison.metrics.find((m) => m.id === 'cer')!.verdict).toBe('noChange');
    expect(comparison.metrics.find((m) => m.id === 'endToEnd.p95Ms')!.estimate!).toBeGreaterThan(
      1.8,
    );
    expect(comparison.caveats[0].code).toBe('few-trials');
  });

  it('calls a x3 change on 3 vs 3 trials: significant (Welch), decisive (rank test)', () => {
    const a = makeRun({ id: 'd1', seed: 51, trials: 3, jobsPerTrial: 120 });
    const b = makeRun({ id: 'd2', seed: 52, trials: 3, jobsPerTrial: 120, latencyFactor: 3 });
    const comparison = compareRuns(loaded(a), loaded(b), { resamples: 1000 });
    const processing = comparison.metrics.find((m) => m.id === 'processing.p50Ms')!;
    expect([processing.verdict, processing.verdictReason]).toEqual(['regressed', 'significant']);
    // Latency and throughput: Welch on log trials; rates: the rank test, whose floor at 3 vs
    // 3 (two-sided 0.1) the no-power caveat names, for the rank-tested metrics only.
    expect(processing.test).toBe('welchLogT');
    expect(comparison.metrics.find((m) => m.id === 'errorRate')!.test).toBe('mannWhitney');
    const noPower = comparison.caveats.filter((c) => c.code === 'no-power');
    expect(noPower.flatMap((c) => c.metricIds).sort()).toEqual(
      ['errorRate', 'lostRate', 'timedOutRate'].sort(),
    );
    const reverse = compareRuns(loaded(b), loaded(a), { resamples: 1000 });
    expect(reverse.metrics.find((m) => m.id === 'processing.p50Ms')!.verdict).toBe('improved');
    // The rank test alone cannot reach significance on 3 vs 3: only the x1.5 rule calls it.
    const ranked = compareRuns(loaded(a), loaded(b), { resamples: 1000, rankTestMinTrials: 0 });
    const byRank = ranked.metrics.find((m) => m.id === 'processing.p50Ms')!;
    expect([byRank.test, byRank.verdict, byRank.verdictReason]).toEqual([
      'mannWhitney',
      'regressed',
      'decisive',
    ]);
    // A 20% change is well inside what the x1.5 rule can call.
    const mild = makeRun({ id: 'd3', seed: 53, trials: 3, jobsPerTrial: 120, latencyFactor: 1.2 });
    const unclear = compareRuns(loaded(a), loaded(mild), { resamples: 1000, rankTestMinTrials: 0 });
    expect(unclear.metrics.find((m) => m.id === 'processing.p50Ms')!.verdict).toBe('inconclusive');
  });

  it('never calls a Welch-tested ratio decisive: the x1.5 margin ignores the spread', () => {
    // A noisy machine: trials 1-1.9 s and 2.9-9 s; every candidate trial is x1.5 beyond.
    const evidence = {
      kind: 'ratio' as const,
      better: 'lower' as const,
      estimate: 3.5,
      interval: null,
      baselineTrials: [1000, 1100, 1900],
      candidateTrials: [2900, 3000, 9000],
      enoughTrials: true,
      significant: false,
      pointJudged: false,
    };
    const criteria = { band: 0.05, decisiveRatio: 1.5, decisiveDifference: 0.05 };
    expect(judge({ ...evidence, decisiveAllowed: false }, criteria)).toEqual({
      verdict: 'inconclusive',
      reason: 'undecided',
    });
    expect(judge(evidence, criteria)).toEqual({ verdict: 'regressed', reason: 'decisive' });
  });

  it('calls a CER jump regressed on any number of trials, as the gate fails it', () => {
    for (const trials of [1, 3, 5]) {
      const a = makeRun({ id: 'c1', seed: 61, trials, jobsPerTrial: 60, cer: 0.0006 });
      const b = makeRun({ id: 'c2', seed: 62, trials, jobsPerTrial: 60, cer: 0.99 });
      const comparison = compareRuns(loaded(a), loaded(b), { resamples: 1000 });
      const cer = comparison.metrics.find((m) => m.id === 'cer')!;
      expect(cer.verdict).toBe('regressed');
      expect(comparison.conclusion.verdict).toBe('regressed');
      const small = makeRun({ id: 'c3', seed: 63, trials, jobsPerTrial: 60, cer: 0.0016 });
      const within = compareRuns(loaded(a), loaded(small), { resamples: 1000 });
      expect(within.metrics.find((m) => m.id === 'cer')!.verdict).toBe('noChange');
    }
  });

  it('calls a jump in the error rate decisive from one trial per side', () => {
    const a = makeRun({ id: 'e1', seed: 71, trials: 1, jobsPerTrial: 100 });
    const b = makeRun({ id: 'e2', seed: 72, trials: 1, jobsPerTrial: 100, failedPerTrial: 25 });
    const comparison = compareRuns(loaded(a), loaded(b), { resamples: 1000 });
    const errors = comparison.metrics.find((m) => m.id === 'errorRate')!;
    expect(errors.verdict).toBe('regressed');
    expect(errors.verdictReason).toBe('decisive');
  });

  it('pools CER by reference characters, not by trial', () => {
    const withTotals = (run: ReturnType<typeof makeRun>, chars: number[], edits: number[]) => {
      run.trials.forEach((trial, index) => {
        trial.accuracy = {
          ...trial.accuracy!,
          cer: edits[index] / chars[index],
          characterEdits: edits[index],
          referenceChars: chars[index],
        };
      });
      return run;
    };
    const a = withTotals(
      makeRun({ id: 'w1', seed: 81, trials: 3 }),
      [1000, 1000, 8000],
      [10, 10, 8],
    );
    const b = withTotals(
      makeRun({ id: 'w2', seed: 82, trials: 3 }),
      [1000, 1000, 8000],
      [10, 10, 8],
    );
    const comparison = compareRuns(loaded(a), loaded(b), { resamples: 500 });
    const cer = comparison.metrics.find((m) => m.id === 'cer')!;
    // 28 edits over 10,000 characters; the mean of the trial CERs would be 0.7%.
    expect(cer.baseline.value).toBeCloseTo(0.0028, 10);
    expect(cer.estimate).toBeCloseTo(0, 12);
  });

  it('notes different scenarios and hosts, and carries the runs caveats', () => {
    const a = makeRun({
      id: 'h1',
      trials: 3,
      jobsPerTrial: 50,
      caveats: [{ code: 'closed-loop', message: 'Closed loop.' }],
    });
    const b = makeRun({
      id: 'h2',
      trials: 3,
      jobsPerTrial: 50,
      hostname: 'other',
      scenarioSha: 'b'.repeat(64),
    });
    const codes = compareRuns(loaded(a), loaded(b), { resamples: 500 }).caveats.map((c) => c.code);
    expect(codes).toEqual(
      expect.arrayContaining(['scenario-differs', 'host-differs', 'closed-loop']),
    );
  });
});
