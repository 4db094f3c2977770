/**
 * How often does the gate cry wolf, and how often does it catch a real regression?
 * Run: npm run bench gate-false-alarms        (simulated trials, about 3 minutes)
 *      node --import tsx bench/gate-false-alarms.ts --run reports/<run-id> [--comparisons N]
 *      (also resamples the real trials of that run; it needs 2 x 10 trials for 10 per side)
 *
 * 1. Pools of trials. Simulated: lognormal job latencies with a per-trial drift of 5% (a
 *    noisy shared machine), plus pools 5%, 10% and 40% slower. Real (--run): the run's
 *    trials as they are, and the same trials with every latency x1.05, x1.10 or x1.40 and
 *    throughput divided by the same (a closed loop's jobs/s falls as its jobs slow down).
 * 2. A/A: draw two disjoint sets of K trials from the same pool, run the default gate,
 *    count failures (false alarms). Goal: at most 1%.
 * 3. Power: baseline from the normal pool, candidate from a slower one (disjoint trials for
 *    the real pool); count failures.
 * Each is measured for two tests of significance: the exact rank test at every trial count
 * (the gate before Welch's t-test) and the default (Welch's t-test on log trial values
 * below 6 trials per side, the rank test from 6 on; src/compare/trial-test.ts).
 */
import { parseArgs } from 'node:util';
import { evaluateGate } from '../src/compare/gate.ts';
import { resolveGate } from '../src/compare/gate-schema.ts';
import { loadRun } from '../src/compare/load-run.ts';
import { COMPARE_DEFAULTS } from '../src/compare/defaults.ts';
import { regularizedBeta } from '../src/compare/t-test.ts';
import { seededRandom, type Random } from '../src/util/random.ts';
import type { RunFile, StageStats, TrialResult } from '../src/record/run-file.ts';
import { makeRun } from '../test/helpers/make-run.ts';

const POOL_TRIALS = 80;
const JOBS_PER_TRIAL = 200;
const TRIAL_DRIFT = 0.05;
const TRIAL_COUNTS = [3, 5, 10];
/** Regressions whose power is measured: 5% (the limit), 10%, and 40% (a gross one). */
const FACTORS = [1.05, 1.1, 1.4];
/** The gate's verdict uses no interval; a small bootstrap keeps thousands of gates quick. */
const RESAMPLES = 200;

const { values: args } = parseArgs({
  options: { run: { type: 'string' }, comparisons: { type: 'string' } },
});
const AA_COMPARISONS = Number(args.comparisons ?? 1000);
const POWER_COMPARISONS = Math.max(50, Math.round(AA_COMPARISONS / 5));

interface Method {
  name: string;
  rankTestMinTrials: number;
}
const METHODS: Method[] = [
  { name: 'rank test only (before)', rankTestMinTrials: 0 },
  {
    name: `default (Welch < ${COMPARE_DEFAULTS.rankTestMinTrials} trials)`,
    rankTestMinTrials: COMPARE_DEFAULTS.rankTestMinTrials,
  },
];

/** Where a side's trials come from: a pool, optionally scaled by a latency factor. */
interface Source {
  pool: RunFile;
  factor: number;
}

function simulatedPool(seed: number, latencyFactor: number): RunFile {
  return makeRun({
    id: `pool-${latencyFactor}`,
    seed,
    trials: POOL_TRIALS,
    jobsPerTrial: JOBS_PER_TRIAL,
    trialDrift: TRIAL_DRIFT,
    latencyFactor,
    observe: false,
  });
}

/** The trial with every latency statistic x factor and throughput / factor. */
function scaled(trial: TrialResult, factor: number): TrialResult {
  if (factor === 1) return trial;
  const stages: TrialResult['stages'] = {};
  for (const [name, stats] of Object.entries(trial.stages) as Array<[string, StageStats]>) {
    stages[name as keyof typeof stages] = {
      ...stats,
      minMs: stats.minMs * factor,
      meanMs: stats.meanMs * factor,
      p50Ms: stats.p50Ms * factor,
      p90Ms: stats.p90Ms * factor,
      p95Ms: stats.p95Ms * factor,
      p99Ms: stats.p99Ms * factor,
      maxMs: stats.maxMs * factor,
    };
  }
  const throughput = {
    ...trial.throughput,
    submittedPerSecond: trial.throughput.submittedPerSecond / factor,
    completedPerSecond: trial.throughput.completedPerSecond / factor,
  };
  return { ...trial, stages, throughput };
}

function draw(source: Source, count: number, random: Random, taken: Set<number>) {
  const { pool } = source;
  const picked: TrialResult[] = [];
  while (picked.length < count) {
    const index = Math.floor(random() * pool.trials.length);
    if (taken.has(index)) continue;
    taken.add(index);
    picked.push(scaled(pool.trials[index], source.factor));
  }
  // The default gate's absolute checks read only job counts from the summary; merging the
  // histograms (summarizeTrials) per comparison would decode thousands of them for nothing.
  const jobs = { ...pool.summary.jobs, failedByClass: {} };
  for (const key of ['submitted', 'completed', 'failed', 'timedOut', 'lost'] as const) {
    jobs[key] = picked.reduce((sum, trial) => sum + trial.jobs[key], 0);
  }
  const run: RunFile = { ...pool, trials: picked, summary: { ...pool.summary, jobs } };
  return { run, source: pool.id, dir: '.' };
}

function failures(
  baseline: Source,
  candidate: Source,
  trials: number,
  comparisons: number,
  method: Method,
  random: Random,
): number {
  const gate = resolveGate();
  let failed = 0;
  for (let i = 0; i < comparisons; i++) {
    const taken = new Set<number>();
    const b = draw(baseline, trials, random, taken);
    // Same pool: keep the two sides disjoint, as two real runs would be.
    const c = draw(candidate, trials, random, candidate.pool === baseline.pool ? taken : new Set());
    const result = evaluateGate(b, c, gate, {
      resamples: RESAMPLES,
      seed: i + 1,
      rankTestMinTrials: method.rankTestMinTrials,
    });
    if (result.exitCode !== 0) failed++;
  }
  return failed;
}

/** Clopper-Pearson 95% upper bound of a rate seen as k in n (binomial), by bisection. */
function upperBound(k: number, n: number): number {
  if (k >= n) return 1;
  // P(X <= k | p) = I_{1-p}(n - k, k + 1) falls as p grows; find where it is 2.5%.
  let low = k / n;
  let high = 1;
  for (let step = 0; step < 60; step++) {
    const middle = (low + high) / 2;
    if (regularizedBeta(1 - middle, n - k, k + 1) > 0.025) low = middle;
    else high = middle;
  }
  return high;
}

const percent = (rate: number) => `${(rate * 100).toFixed(1)}%`;

/** Prints one table; returns the worst A/A rate of the default method, and its bound. */
function measure(
  title: string,
  normal: Source,
  slower: Source[],
  maxTrials: number,
): { rate: number; upper: number } {
  console.log(`\n${title}`);
  console.log(
    'method                          trials/side  A/A false alarms (95% upper)  ' +
      FACTORS.map((f) => `power p95 +${Math.round((f - 1) * 100)}%`).join('  '),
  );
  const worst = { rate: 0, upper: 0 };
  for (const method of METHODS) {
    for (const trials of TRIAL_COUNTS.filter((k) => 2 * k <= maxTrials)) {
      // The same seed for every method: they are compared on the same trial sets.
      const random = seededRandom(42 + trials);
      const aa = failures(normal, normal, trials, AA_COMPARISONS, method, random);
      const upper = upperBound(aa, AA_COMPARISONS);
      if (method === METHODS[1] && aa / AA_COMPARISONS >= worst.rate) {
        Object.assign(worst, { rate: aa / AA_COMPARISONS, upper });
      }
      const power = slower.map(
        (source) =>
          failures(normal, source, trials, POWER_COMPARISONS, method, random) / POWER_COMPARISONS,
      );
      const aaText = `${percent(aa / AA_COMPARISONS)} (${aa}/${AA_COMPARISONS}, ${percent(upper)})`;
      console.log(
        `${method.name.padEnd(30)}  ${String(trials).padStart(11)}  ${aaText.padEnd(28)}  ` +
          power.map((rate) => percent(rate).padStart(13)).join('  '),
      );
    }
  }
  return worst;
}

const started = Date.now();
const gate = resolveGate();
console.log(
  `gate false alarms and power: the default gate (p95 +5% and throughput -3%, both ` +
    `significant, alpha ${gate.alpha}, Holm over the two); ${AA_COMPARISONS} A/A and ` +
    `${POWER_COMPARISONS} power comparisons per cell`,
);
const simulatedSlower = FACTORS.map((factor, i) => ({
  pool: simulatedPool(2 + i, factor),
  factor: 1,
}));
const results = [];
results.push(
  measure(
    `simulated: pools of ${POOL_TRIALS} trials x ${JOBS_PER_TRIAL} jobs, lognormal jobs, ` +
      `trial drift ${TRIAL_DRIFT * 100}%`,
    { pool: simulatedPool(1, 1), factor: 1 },
    simulatedSlower,
    POOL_TRIALS,
  ),
);
if (args.run) {
  const real = (await loadRun(args.run)).run;
  const count = real.trials.length;
  if (count < 6) throw new Error(`--run ${args.run}: ${count} trials; 6 or more needed`);
  results.push(
    measure(
      `real: the ${count} trials of ${args.run} (${real.scenario.name}), resampled; ` +
        'candidate trials scaled',
      { pool: real, factor: 1 },
      FACTORS.map((factor) => ({ pool: real, factor })),
      count,
    ),
  );
}
const worst = results.reduce((a, b) => (b.rate > a.rate ? b : a));
console.log(
  `\nworst A/A false-alarm rate of the default: ${percent(worst.rate)} (95% upper bound ` +
    `${percent(worst.upper)}); goal <= 1%: ${worst.rate <= 0.01 ? 'met' : 'NOT met'}`,
);
if (worst.rate > 0.01) process.exitCode = 1;
console.log(`took ${((Date.now() - started) / 1000).toFixed(1)} s`);
