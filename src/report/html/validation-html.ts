import { cdfPoints } from '../../record/histogram.ts';
import type { RunFile, StageName } from '../../record/run-file.ts';
import type { Comparison } from '../../compare/comparison.ts';
import { mergedStageHistogram } from '../../compare/histograms.ts';
import { COMPARED_STAGES } from '../../compare/metrics.ts';
import { validationMarkdown } from '../validation-md.ts';
import { averagedSeries } from './series.ts';
import { escapeXml, lineChart, stackedBars, type Series } from './svg.ts';
import { markdownToHtml } from './markdown.ts';

/**
 * validation.html: the Markdown report plus charts, in one self-contained file (inline
 * CSS and SVG; no script, no network).
 */
const BASELINE = '#1f77b4';
const CANDIDATE = '#d62728';
const STAGE_COLOURS: Partial<Record<StageName, string>> = {
  startDelay: '#17becf',
  upload: '#8c564b',
  queueWait: '#ff7f0e',
  processing: '#2ca02c',
};
/** Time no stage covers (poll gaps, result fetch): a neutral grey. */
const OTHER_COLOUR = '#b0b0b0';

export function validationHtml(
  comparison: Comparison,
  baseline: RunFile,
  candidate: RunFile,
): string {
  const sides = [
    { name: `baseline ${comparison.baseline.id}`, run: baseline, colour: BASELINE },
    { name: `candidate ${comparison.candidate.id}`, run: candidate, colour: CANDIDATE },
  ];
  const charts: Array<{ id: string; svg: string }> = [];

  // 1. Latency CDFs of the merged histograms, end-to-end and processing.
  for (const stage of ['endToEnd', 'processing'] as const) {
    const series: Series[] = sides.map((side) => ({
      name: side.name,
      colour: side.colour,
      points: cdfPoints(mergedStageHistogram(side.run, stage)).map(([ms, f]) => [ms, f * 100]),
    }));
    charts.push({
      id: `cdf-${stage}`,
      svg: lineChart({
        title: `${stage === 'endToEnd' ? 'End-to-end' : 'Processing'} latency, all trials merged`,
        xLabel: 'latency (ms, log scale)',
        yLabel: 'jobs at or below (%)',
        series,
        logX: true,
        emptyText: 'not measured',
      }),
    });
  }

  // 2. Stage breakdown: p50 of each stage, stacked, plus "other" up to the end-to-end p50.
  // The start delay (waiting inside ocrbench before sending) only when a side measured it.
  const startDelay = sides.some(
    (side) => mergedStageHistogram(side.run, 'startDelay').totalCount > 0,
  );
  charts.push({
    id: 'stages',
    svg: stackedBars(
      'p50 per stage, all trials merged; each bar = the end-to-end p50',
      'ms',
      sides.map((side) => ({
        label: side === sides[0] ? 'baseline' : 'candidate',
        segments: stageSegments(side.run, startDelay),
      })),
    ),
  });

  // 3-5. Series over time, averaged across trials.
  const overTime = (
    id: string,
    title: string,
    yLabel: string,
    pick: Parameters<typeof averagedSeries>[1],
    smooth = 1,
  ) =>
    charts.push({
      id,
      svg: lineChart({
        title,
        xLabel: 'seconds since trial start',
        yLabel,
        series: sides.map((side) => ({
          name: side.name,
          colour: side.colour,
          points: averagedSeries(side.run.trials, pick, smooth),
        })),
        emptyText: 'not observed',
      }),
    });
  overTime(
    'throughput',
    'Completed jobs per second (5 s average, mean of trials)',
    'jobs/s',
    (trial) => ({ t: trial.throughput.series.tSeconds, v: trial.throughput.series.completed }),
    5,
  );
  overTime('queue', 'Queue depth (pending jobs, mean of trials)', 'jobs', (trial) => {
    const queue = trial.observations?.queue;
    return queue ? { t: queue.tSeconds, v: queue.pending } : null;
  });
  overTime('cpu', 'Target CPU (100 = one core, mean of trials)', 'CPU %', (trial) => {
    const processes = trial.observations?.processes;
    return processes ? { t: processes.tSeconds, v: processes.cpuPercent } : null;
  });
  overTime('memory', 'Target memory (resident set, mean of trials)', 'MiB', (trial) => {
    const processes = trial.observations?.processes;
    return processes
      ? { t: processes.tSeconds, v: processes.rssBytes.map((bytes) => bytes / 1024 ** 2) }
      : null;
  });

  const figures = charts
    .map((chart) => `<figure class="chart" data-chart="${chart.id}">${chart.svg}</figure>`)
    .join('\n');
  const title = `Phase 3 validation: ${comparison.candidate.scenario.name}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeXml(title)}</title>
<style>${CSS}</style></head>
<body><main>
${markdownToHtml(validationMarkdown(comparison))}
<h2>Charts</h2>
<div class="charts">
${figures}
</div>
</main></body></html>
`;
}

/**
 * The p50 (ms) of the start delay (when `withStartDelay`), upload, queue wait and
 * processing, and "other": the end-to-end p50 minus their sum, i.e. what no stage covers
 * (waiting for the next poll, fetching the result, the hand-offs between stages). Medians
 * do not add up exactly, so when the stages' p50s sum to more than the end-to-end p50,
 * "other" is 0 and the bar is a little longer than it.
 */
export function stageSegments(
  run: RunFile,
  withStartDelay = false,
): Array<{ name: string; value: number; colour: string }> {
  const p50 = (stage: StageName) => {
    const histogram = mergedStageHistogram(run, stage);
    return histogram.totalCount > 0 ? histogram.getValueAtPercentile(50) / 1000 : 0;
  };
  const stages: StageName[] = [
    ...(withStartDelay ? (['startDelay'] as const) : []),
    ...COMPARED_STAGES.filter((stage) => stage !== 'endToEnd'),
  ];
  const segments = stages.map((stage) => ({
    name: stage as string,
    value: p50(stage),
    colour: STAGE_COLOURS[stage] ?? OTHER_COLOUR,
  }));
  const staged = segments.reduce((sum, segment) => sum + segment.value, 0);
  const other = Math.max(0, p50('endToEnd') - staged);
  return [...segments, { name: 'other', value: other, colour: OTHER_COLOUR }];
}

const CSS = `
body{font:15px/1.45 system-ui,sans-serif;color:#222;margin:0;background:#fafafa}
main{max-width:1100px;margin:auto;padding:24px}
table{border-collapse:collapse;margin:12px 0;font-size:13px}
td,th{border:1px solid #ddd;padding:4px 8px;text-align:left}
th{background:#f0f0f0}
code{background:#eee;padding:0 3px;border-radius:3px}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(480px,1fr));gap:16px}
figure.chart{margin:0;background:#fff;border:1px solid #ddd;padding:8px}
svg{width:100%;height:auto}
svg text{font-size:11px;fill:#333}
svg text.title{font-size:13px;font-weight:600}
.footnotes{font-size:13px;color:#444}
`;
