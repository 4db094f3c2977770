import type { Comparison } from '../compare/comparison.ts';
import {
  alignColumns,
  formatChange,
  formatInterval,
  formatP,
  formatValue,
  verdictLabel,
} from './validation-format.ts';

/** The comparison as a terminal table, for `ocrbench compare` on stdout. */
export function comparisonTable(comparison: Comparison): string {
  const confidence = Math.round(comparison.settings.confidence * 100);
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
    `basis: ${comparison.basis}; * = primary metric`,
    '',
    alignColumns(rows),
    '',
    `Conclusion: ${comparison.conclusion.text}`,
  ];
  if (comparison.caveats.length > 0) {
    lines.push('', 'Caveats:');
    comparison.caveats.forEach((caveat, index) => {
      lines.push(`  [${index + 1}] ${caveat.source}: ${caveat.message}`);
    });
  }
  return `${lines.join('\n')}\n`;
}
