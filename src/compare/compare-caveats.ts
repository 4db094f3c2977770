import type { Caveat, RunFile } from '../record/run-file.ts';
import type { Basis, ComparisonCaveat, MetricComparison } from './comparison.ts';
import type { CompareSettings } from './defaults.ts';
import { smallestPValue } from './rank-test.ts';

/**
 * Caveats are data: each run's own caveats are carried over, and the comparison adds
 * what limits its verdicts. Metric rows refer to them by number (footnotes).
 */
export function comparisonCaveats(
  baseline: RunFile,
  candidate: RunFile,
  metrics: MetricComparison[],
  basis: Basis,
  settings: CompareSettings,
): ComparisonCaveat[] {
  const caveats: ComparisonCaveat[] = [];
  const add = (code: string, message: string, metricIds: string[] = []) =>
    caveats.push({ code, message, source: 'comparison', metricIds });
  const nb = baseline.trials.length;
  const nc = candidate.trials.length;

  if (nb < settings.minTrials || nc < settings.minTrials) {
    add(
      'few-trials',
      `Baseline has ${nb} trial(s), candidate ${nc}; trial-level statistics need at least ` +
        `${settings.minTrials} per side (--trials 5 or more is better).`,
    );
  }
  if (basis === 'jobs') {
    add(
      'job-level',
      'The intervals and p-values treat jobs as samples. Jobs of one run share the ' +
        "machine's state, so they are not independent: intervals are too narrow and p-values " +
        'too small. They are hints, not evidence: latency and throughput get no verdict; ' +
        'only decisive changes in rates and the character error rate do. Throughput is one ' +
        'number per run: only its ratio is shown, without interval or test.',
    );
  } else if (nb >= settings.minTrials && nc >= settings.minTrials) {
    powerCaveats(metrics, nb, nc, settings, add);
  }
  if (baseline.scenario.sha256 !== candidate.scenario.sha256) {
    add(
      'scenario-differs',
      `The scenario files differ (${baseline.scenario.name} ${short(baseline.scenario.sha256)}` +
        ` vs ${candidate.scenario.name} ${short(candidate.scenario.sha256)}): the load itself ` +
        'may have changed, not only the system under test.',
    );
  }
  const hostOf = (run: RunFile) =>
    `${run.host.hostname} (${run.host.cpus} CPUs, ${run.host.cpuModel})`;
  if (hostOf(baseline) !== hostOf(candidate)) {
    add(
      'host-differs',
      `The runs come from different hosts: ${hostOf(baseline)} vs ${hostOf(candidate)}.`,
    );
  }
  for (const [side, run] of [
    ['baseline', baseline],
    ['candidate', candidate],
  ] as const) {
    if (!run.complete) {
      add('incomplete-run', `The ${side} run stopped early (${run.stopReason}).`);
    }
  }
  for (const metric of metrics) {
    if (metric.family !== 'primary' || metric.kind !== 'ratio' || !metric.interval) continue;
    const { low, high } = metric.interval;
    if (low > 0 && high / low - 1 > settings.wideIntervalRatio) {
      add(
        'wide-interval',
        `The interval of ${metric.label} spans ${low.toFixed(3)}x to ${high.toFixed(3)}x: ` +
          'the trials vary a lot; more trials or a quieter machine would narrow it.',
        [metric.id],
      );
    }
  }
  const missing = metrics.filter((metric) => metric.estimate === null).map((m) => m.id);
  if (missing.length > 0) {
    add('not-measured', `Not measured on both sides: ${missing.join(', ')}.`, missing);
  }

  caveats.push(...carried('baseline', baseline), ...carried('candidate', candidate));
  caveats.forEach((caveat, index) => {
    for (const id of caveat.metricIds) {
      metrics.find((metric) => metric.id === id)?.footnotes.push(index + 1);
    }
  });
  return caveats;
}

/** Tells when no outcome of these trial counts could pass Holm's correction. */
function powerCaveats(
  metrics: MetricComparison[],
  nb: number,
  nc: number,
  settings: CompareSettings,
  add: (code: string, message: string, metricIds?: string[]) => void,
): void {
  const smallest = smallestPValue(nb, nc, 'twoSided');
  for (const family of ['primary', 'secondary'] as const) {
    const members = metrics.filter((m) => m.family === family && m.adjustedPValue !== null);
    if (members.length === 0) continue;
    const needed = settings.alpha / members.length;
    if (smallest < needed) continue;
    let trials = Math.max(nb, nc);
    while (smallestPValue(trials, trials, 'twoSided') >= needed) trials++;
    add(
      'no-power',
      `With ${nb} vs ${nc} trials the smallest possible rank-test p-value is ` +
        `${smallest.toPrecision(2)}; Holm's correction over ${members.length} ${family} ` +
        `metrics needs below ${needed.toPrecision(2)}, so none of them can be called ` +
        `improved or regressed unless the change is decisive (every trial beyond ` +
        `x${settings.decisiveRatio}). Run at least ${trials} trials per side.`,
      members.map((m) => m.id),
    );
  }
}

function carried(side: 'baseline' | 'candidate', run: RunFile): ComparisonCaveat[] {
  const all: Caveat[] = [...run.caveats, ...run.trials.flatMap((trial) => trial.caveats)];
  const seen = new Set<string>();
  const result: ComparisonCaveat[] = [];
  for (const caveat of all) {
    const key = `${caveat.code}\n${caveat.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    result.push({ code: caveat.code, message: caveat.message, source: side, metricIds: [] });
  }
  return result;
}

function short(sha256: string): string {
  return sha256.slice(0, 8);
}
