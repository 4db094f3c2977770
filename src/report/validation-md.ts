import { caveatOrigin } from '../compare/compare-caveats.ts';
import type { Comparison, RunDescription } from '../compare/comparison.ts';
import {
  formatChange,
  formatInterval,
  formatP,
  formatValue,
  verdictLabel,
  confidencePercent,
} from './validation-format.ts';

/**
 * validation.md, the Phase 3 report: what was compared, the verdicts, the metrics before
 * and after with intervals, the conclusion, and every caveat as a numbered footnote.
 */
export function validationMarkdown(comparison: Comparison): string {
  const { baseline, candidate, settings } = comparison;
  const confidence = confidencePercent(settings.confidence);
  const note = (numbers: number[]) => numbers.map((n) => `[^${n}]`).join('');
  const general = comparison.caveats
    .map((caveat, index) => ({ caveat, number: index + 1 }))
    .filter(({ caveat }) => caveat.metricIds.length === 0)
    .map(({ number }) => number);
  const out: string[] = [];

  out.push(`# Phase 3 validation: ${candidate.scenario.name}`, '');
  out.push(
    `**Conclusion: ${comparison.conclusion.text}**${note(general)}`,
    '',
    `Baseline \`${baseline.id}\` against candidate \`${candidate.id}\`; report created ` +
      `${comparison.createdAt} by ocrbench ${comparison.tool.version}.`,
    '',
  );

  out.push('## What was compared', '', '| | Baseline | Candidate |', '|---|---|---|');
  const row = (label: string, pick: (run: RunDescription) => string) =>
    out.push(`| ${label} | ${cell(pick(baseline))} | ${cell(pick(candidate))} |`);
  row('Run', (run) => `\`${run.id}\` (${run.source})`);
  row(
    'Scenario',
    (run) =>
      `${run.scenario.name} (${run.scenario.file}, sha256 ` +
      `${run.scenario.sha256.slice(0, 12)})`,
  );
  row(
    'Target',
    (run) =>
      `${run.target.url}, profile ${run.target.profile}` +
      (run.target.faults.length > 0 ? `, faults: ${run.target.faults.join(', ')}` : ''),
  );
  row('Trials', (run) => String(run.trials));
  row('Started', (run) => run.startedAt);
  row('Ended', (run) => run.endedAt);
  row(
    'Host',
    (run) =>
      `${run.host.hostname}, ${run.host.cpus} CPUs (${run.host.cpuModel}), ` +
      `${(run.host.memoryBytes / 1024 ** 3).toFixed(1)} GiB, Node ${run.host.node}`,
  );
  row('Complete', (run) => (run.complete ? 'yes' : `no (${run.stopReason})`));
  out.push('');

  out.push('## Verdicts', '');
  for (const metric of comparison.metrics.filter((m) => m.family === 'primary')) {
    out.push(
      `- **${metric.label}**: ${verdictLabel(metric)} ` +
        `(${formatChange(metric)}, ${confidence}% interval ${formatInterval(metric)})` +
        note(metric.footnotes),
    );
  }
  const secondary = comparison.metrics.filter(
    (m) => m.family === 'secondary' && (m.verdict === 'improved' || m.verdict === 'regressed'),
  );
  for (const metric of secondary) {
    out.push(
      `- ${metric.label} (secondary): ${verdictLabel(metric)} ` +
        `(${formatChange(metric)})${note(metric.footnotes)}`,
    );
  }
  out.push('');

  out.push(
    '## Metrics before and after',
    '',
    `Change is candidate / baseline for latency and throughput, candidate - baseline in ` +
      `percentage points for rates. p is Holm-adjusted within its family.`,
    '',
    `| Metric | Family | Baseline | Candidate | Change | ${confidence}% interval | p | Verdict |`,
    '|---|---|---:|---:|---:|---|---:|---|',
  );
  for (const metric of comparison.metrics) {
    out.push(
      `| ${metric.label} | ${metric.family} | ` +
        `${formatValue(metric.baseline.value, metric.unit)} | ` +
        `${formatValue(metric.candidate.value, metric.unit)} | ${formatChange(metric)} | ` +
        `${formatInterval(metric)} | ${formatP(metric.adjustedPValue)} | ` +
        `${verdictLabel(metric)}${note(metric.footnotes)} |`,
    );
  }
  out.push('');

  out.push('## Method', '');
  const decisive =
    `A change is also called when it is decisive: every candidate trial beyond every ` +
    `baseline trial by more than x${settings.decisiveRatio} (latency, throughput; needs ` +
    `${settings.minTrials} trials per side) or ${settings.decisiveDifference * 100} points ` +
    '(error, lost and timed-out rates). The character error rate is judged on its value ' +
    `against the +/-${settings.differenceEquivalence * 100}-point band, without a test: ` +
    'the same documents give the same text whatever the machine is doing.';
  const welch = comparison.metrics.some((metric) => metric.test === 'welchLogT');
  const tests = welch
    ? "two-sided Welch's t-test on the logarithms of the trial values gave the p-value of " +
      `latency and throughput (fewer than ${settings.rankTestMinTrials} trials per side, ` +
      'where the rank test cannot reach small p-values), an exact two-sided Mann-Whitney ' +
      'rank test that of the rates'
    : 'an exact two-sided Mann-Whitney rank test gave the p-value';
  if (comparison.basis === 'trials') {
    out.push(
      `Each trial is one independent sample. For every metric the trial values of each side ` +
        `were resampled ${settings.resamples} times (seed ${settings.seed}) to get a ` +
        `${confidence}% percentile-bootstrap interval of the ratio (or difference) of ` +
        `means; ${tests}, Holm-Bonferroni ` +
        `corrected within the primary and the secondary metrics (alpha ${settings.alpha}). ` +
        'A verdict needs a significant test and an interval that excludes no change; ' +
        `"no change" needs the interval inside +/-${settings.ratioEquivalence * 100}% ` +
        `(${settings.differenceEquivalence * 100} points for rates). ${decisive}`,
    );
  } else {
    out.push(
      `Too few trials for trial-level statistics (${settings.minTrials} per side needed). ` +
        'The intervals and p-values shown treat jobs as samples: percentile bootstrap for ' +
        'latency, two-proportion test for rates; throughput, one number per run, shows its ' +
        'ratio only. Jobs of one run are not independent samples, so ' +
        'these are hints only and give no verdict; latency and throughput stay ' +
        `inconclusive. ${decisive}`,
    );
  }
  out.push('');

  if (comparison.caveats.length > 0) {
    out.push('## Caveats', '');
    const trials = { baseline: baseline.trials, candidate: candidate.trials };
    comparison.caveats.forEach((caveat, index) => {
      const origin = caveatOrigin(caveat, trials);
      const from = origin === null ? '' : `(${origin}) `;
      out.push(`[^${index + 1}]: ${from}${caveat.message} \`${caveat.code}\``);
    });
    out.push('');
  }
  return `${out.join('\n')}`;
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}
