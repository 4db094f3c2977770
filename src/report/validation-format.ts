import type { MetricComparison, Verdict } from '../compare/comparison.ts';

/** Number formats shared by the terminal table, validation.md and validation.html. */
export function formatValue(value: number | null, unit: MetricComparison['unit']): string {
  if (value === null) return 'n/a';
  if (unit === 'fraction') return `${(value * 100).toFixed(2)}%`;
  if (unit === 'ms') return value >= 100 ? `${value.toFixed(0)} ms` : `${value.toFixed(1)} ms`;
  return `${value.toFixed(3)} ${unit}`;
}

/** The change: "x1.083" for ratios, "+0.15 pts" for rate differences. */
export function formatChange(metric: MetricComparison): string {
  if (metric.estimate === null) return 'n/a';
  if (metric.kind === 'ratio') return `x${metric.estimate.toFixed(3)}`;
  return `${signedPoints(metric.estimate)} pts`;
}

export function formatInterval(metric: MetricComparison): string {
  if (!metric.interval) return '-';
  const { low, high } = metric.interval;
  if (metric.kind === 'ratio') return `[${low.toFixed(3)}, ${high.toFixed(3)}]`;
  return `[${signedPoints(low)}, ${signedPoints(high)}]`;
}

export function formatP(p: number | null): string {
  if (p === null) return '-';
  return p < 0.0001 ? p.toExponential(1) : p.toFixed(4);
}

export const VERDICT_WORDS: Record<Verdict, string> = {
  improved: 'improved',
  regressed: 'REGRESSED',
  noChange: 'no change',
  inconclusive: 'inconclusive',
};

/** The verdict with how it was reached when that is not the usual test: "REGRESSED (decisive)". */
export function verdictLabel(metric: Pick<MetricComparison, 'verdict' | 'verdictReason'>) {
  const words = VERDICT_WORDS[metric.verdict];
  if (metric.verdictReason === 'decisive') return `${words} (decisive)`;
  if (metric.verdictReason === 'tooFewTrials') return `${words} (too few trials)`;
  return words;
}

function signedPoints(fraction: number): string {
  const points = fraction * 100;
  // Avoid "-0.00" for a zero difference.
  const rounded = Math.abs(points) < 0.005 ? 0 : points;
  return `${rounded >= 0 ? '+' : ''}${rounded.toFixed(2)}`;
}

/** Pads a table of strings into aligned columns for the terminal. */
export function alignColumns(rows: string[][]): string {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** 95 for 0.95, 97.5 for 0.975: no rounding that would misstate the level actually used. */
export function confidencePercent(confidence: number): string {
  return String(Number((confidence * 100).toFixed(2)));
}
