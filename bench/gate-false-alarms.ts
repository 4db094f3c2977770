/**
 * How often does the gate cry wolf, and how often does it catch a real regression?
 * Run: node --import tsx bench/gate-false-alarms.ts
 *
 * 1. Build pools of simulated trials from one distribution (lognormal job latencies,
 *    a per-trial drift of 5% for a noisy shared machine), plus pools 5% and 10% slower.
 * 2. A/A: draw two disjoint sets of K trials from the same pool, run the default gate,
 *    count failures (false alarms). Goal: at most 1%.
 * 3. Power: baseline from the normal pool, candidate from a slower pool; count failures.
 */
import { evaluateGate } from '../src/compare/gate.ts';
import { resolveGate } from '../src/compare/gate-schema.ts';
import { seededRandom, type Random } from '../src/util/random.ts';
import type { RunFile, TrialResult } from '../src/record/run-file.ts';
import { makeRun } from '../test/helpers/make-run.ts';

const POOL_TRIALS = 80;
const JOBS_PER_TRIAL = 200;
const TRIAL_DRIFT = 0.05;
const AA_COMPARISONS = 1000;
const POWER_COMPARISONS = 200;
const TRIAL_COUNTS = [3, 5, 10];

function pool(seed: number, latencyFactor: number): RunFile {
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

function draw(source: RunFile, count: number, random: Random, exclude = new Set<number>()) {
  const picked: TrialResult[] = [];
  while (picked.length < count) {
    const index = Math.floor(random() * source.trials.length);
    if (exclude.has(index)) continue;
    exclude.add(index);
    picked.push(source.trials[index]);
  }
  // The default gate's absolute checks read only job counts from the summary; merging the
  // histograms (summarizeTrials) per comparison would decode thousands of them for nothing.
  const jobs = { ...source.summary.jobs, failedByClass: {} };
  for (const key of ['submitted', 'completed', 'failed', 'timedOut', 'lost'] as const) {
    jobs[key] = picked.reduce((sum, trial) => sum + trial.jobs[key], 0);
  }
  const run: RunFile = { ...source, trials: picked, summary: { ...source.summary, jobs } };
  return { run, source: source.id, dir: '.' };
}

function failureRate(
  baselinePool: RunFile,
  candidatePool: RunFile,
  trials: number,
  comparisons: number,
  random: Random,
): { rate: number; failures: number } {
  const gate = resolveGate();
  let failures = 0;
  for (let i = 0; i < comparisons; i++) {
    const taken = new Set<number>();
    const baseline = draw(baselinePool, trials, random, taken);
    // Same pool: keep the two sides disjoint, as two real runs would be.
    const exclude = candidatePool === baselinePool ? taken : new Set<number>();
    const candidate = draw(candidatePool, trials, random, exclude);
    const result = evaluateGate(baseline, candidate, gate, { resamples: 1000, seed: i + 1 });
    if (result.exitCode !== 0) failures++;
  }
  return { rate: failures / comparisons, failures };
}

const started = Date.now();
const same = pool(1, 1);
const slower5 = pool(2, 1.05);
const slower10 = pool(3, 1.1);
const random = seededRandom(42);
const percent = (rate: number) => `${(rate * 100).toFixed(1)}%`.padStart(6);

console.log(
  `gate false alarms and power (default gate: p95 +5% and throughput -3%, both significant, ` +
    `alpha ${resolveGate().alpha})`,
);
console.log(
  `pools of ${POOL_TRIALS} trials x ${JOBS_PER_TRIAL} jobs, trial drift ${TRIAL_DRIFT * 100}%\n`,
);
console.log('trials/side  A/A false alarms      power +5% p95   power +10% p95');
let worst = 0;
for (const trials of TRIAL_COUNTS) {
  const aa = failureRate(same, same, trials, AA_COMPARISONS, random);
  const p5 = failureRate(same, slower5, trials, POWER_COMPARISONS, random);
  const p10 = failureRate(same, slower10, trials, POWER_COMPARISONS, random);
  worst = Math.max(worst, aa.rate);
  console.log(
    `${String(trials).padStart(11)}  ${percent(aa.rate)} (${aa.failures}/${AA_COMPARISONS})` +
      `      ${percent(p5.rate)}          ${percent(p10.rate)}`,
  );
}
console.log(
  `\nworst A/A false-alarm rate ${percent(worst).trim()} (goal <= 1%): ` +
    `${worst <= 0.01 ? 'met' : 'NOT met'}`,
);
console.log(`took ${((Date.now() - started) / 1000).toFixed(1)} s`);
