import { caveatOrigin } from '../compare/compare-caveats.ts';
import type { Comparison } from '../compare/comparison.ts';
import {
  alignColumns,
  formatChange,
  formatInterval,
  formatP,
  formatValue,
  verdictLabel,
  confidencePercent,
} from './validation-format.ts';

/** The comparison as a terminal table, for `ocrbench compare` on stdout. */
export function comparisonTable(comparison: Comparison): string {
  const confidence = confidencePercent(comparison.settings.confidence);
  const rows = [
    ['metric', 'baseline', 'candidate', 'change', `${confidence}% interval`, 'p (Holm)', 'verdict'],
  ];
  for (const metric of comparison.metrics) {
    const marks = metric.footnotes.map((n) => `[${n}]`).join('');
    rows.push([
      metric.label + (metric.family === 'primary' ? ' *' : ''),
      formatValue(metric.baseline.value, metric.unit),
      formatValue(metric.candidate.value, metric.unit),
      formatChange(metric),
      formatInterval(metric),
      formatP(metric.adjustedPValue),
      verdictLabel(metric) + (marks ? ` ${marks}` : ''),
    ]);
  }
  const { baseline, candidate } = comparison;
  const lines = [
    `baseline  ${baseline.source} (${baseline.id}, ${baseline.trials} trials)`,
    `candidate ${candidate.source} (${candidate.id}, ${candidate.trials} trials)`,
    `basis: ${comparison.basis}; intervals: ${confidence}% two-sided (1 - alpha ` +
      `${comparison.settings.alpha}); * = primary metric`,
    '',
    alignColumns(rows),
    '',
    `Conclusion: ${comparison.conclusion.text}`,
  ];
  if (comparison.caveats.length > 0) {
    lines.push('', 'Caveats:');
    const trials = { baseline: baseline.trials, candidate: candidate.trials };
    comparison.caveats.forEach((caveat, index) => {
      const origin = caveatOrigin(caveat, trials) ?? 'comparison';
      lines.push(`  [${index + 1}] ${origin}: ${caveat.message} (${caveat.code})`);
    });
  }
  return `${lines.join('\n')}\n`;
}
