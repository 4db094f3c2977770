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

/**
 * Tells when no outcome of these trial counts could pass Holm's correction for the metrics
 * tested with the exact rank test (its smallest p-value is fixed by the trial counts);
 * Welch's t-test on log trial values has no such floor (src/compare/trial-test.ts).
 */
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
    const ranked = members.filter((m) => m.test === 'mannWhitney');
    if (ranked.length === 0) continue;
    const needed = settings.alpha / members.length;
    if (smallest < needed) continue;
    let trials = Math.max(nb, nc);
    while (smallestPValue(trials, trials, 'twoSided') >= needed) trials++;
    add(
      'no-power',
      `With ${nb} vs ${nc} trials the smallest possible rank-test p-value is ` +
        `${smallest.toPrecision(2)}; Holm's correction over ${members.length} ${family} ` +
        `metrics needs below ${needed.toPrecision(2)}, so the rank-tested ones ` +
        `(${ranked.map((m) => m.label).join(', ')}) cannot be called improved or regressed ` +
        `unless the change is decisive (every trial beyond x${settings.decisiveRatio}, or ` +
        `${settings.decisiveDifference * 100} points for rates). Run at least ${trials} ` +
        'trials per side.',
      ranked.map((m) => m.id),
    );
  }
}

/**
 * Each run's own caveats, then its trials' caveats grouped by code: one footnote per code
 * and side, with the trials that reported it, instead of one near-duplicate per trial
 * ("1 jobs ...", "4 jobs ...").
 */
function carried(side: 'baseline' | 'candidate', run: RunFile): ComparisonCaveat[] {
  const result: ComparisonCaveat[] = [];
  const seen = new Set<string>();
  for (const caveat of run.caveats) {
    const key = `${caveat.code}\n${caveat.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    result.push({ code: caveat.code, message: caveat.message, source: side, metricIds: [] });
  }
  const byCode = new Map<string, Array<{ trial: number; message: string }>>();
  run.trials.forEach((trial, index) => {
    for (const caveat of trial.caveats) {
      // Already said for the whole run in the same words.
      if (seen.has(`${caveat.code}\n${caveat.message}`)) continue;
      const reports = byCode.get(caveat.code) ?? [];
      reports.push({ trial: index + 1, message: caveat.message });
      byCode.set(caveat.code, reports);
    }
  });
  for (const [code, reports] of byCode) {
    const trials = [...new Set(reports.map((report) => report.trial))].sort((a, b) => a - b);
    const message = mergeMessages(reports);
    result.push({ code, message, source: side, metricIds: [], trials });
  }
  return result;
}

/**
 * One message for a code reported by several trials. Identical messages stay as they are;
 * messages that differ only in their numbers become one with each varying number shown as
 * its range over the trials ("1-4 jobs started more than 10 ms late"); others are listed
 * with their trials, at most three.
 */
export function mergeMessages(reports: Array<{ trial: number; message: string }>): string {
  const variants = new Map<string, number[]>();
  for (const { trial, message } of reports) {
    variants.set(message, [...(variants.get(message) ?? []), trial]);
  }
  const messages = [...variants.keys()];
  if (messages.length === 1) return messages[0];
  const NUMBER = /\d+(?:\.\d+)?/g;
  const template = (message: string) => message.replace(NUMBER, '#');
  if (messages.every((message) => template(message) === template(messages[0]))) {
    const slots = messages.map((message) => (message.match(NUMBER) ?? []).map(Number));
    let slot = 0;
    return messages[0].replace(NUMBER, (first) => {
      const values = slots.map((numbers) => numbers[slot]);
      slot++;
      const low = Math.min(...values);
      const high = Math.max(...values);
      if (low === high) return first;
      const decimals = Math.max(...values.map((value) => decimalsOf(value)));
      return `${low.toFixed(decimals)}-${high.toFixed(decimals)}`;
    });
  }
  const listed = [...variants.entries()]
    .slice(0, 3)
    .map(([message, trials]) => `${trialList(trials)}: ${message}`);
  const more = variants.size > 3 ? ` (and ${variants.size - 3} more variants)` : '';
  return `${listed.join(' / ')}${more}`;
}

function decimalsOf(value: number): number {
  const text = String(value);
  const dot = text.indexOf('.');
  return dot === -1 ? 0 : text.length - dot - 1;
}

/** "trial 3", "trials 1, 2, 4". */
function trialList(trials: number[]): string {
  return `${trials.length === 1 ? 'trial' : 'trials'} ${trials.join(', ')}`;
}

/**
 * Where a caveat comes from, for the reports: null for the comparison's own; "baseline
 * run" for a run-level one; "candidate, 2 of 5 trials (1, 4)" or "baseline, all 3
 * trials" for trials' caveats.
 */
export function caveatOrigin(
  caveat: ComparisonCaveat,
  trialCounts: { baseline: number; candidate: number },
): string | null {
  if (caveat.source === 'comparison') return null;
  if (!caveat.trials) return `${caveat.source} run`;
  const total = trialCounts[caveat.source];
  const count = caveat.trials.length;
  if (count === total)
    return `${caveat.source}, ${total === 1 ? 'its trial' : `all ${total} trials`}`;
  return `${caveat.source}, ${count} of ${total} trials (${caveat.trials.join(', ')})`;
}

function short(sha256: string): string {
  return sha256.slice(0, 8);
}
