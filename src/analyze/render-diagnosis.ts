import type { RunFile } from '../record/run-file.ts';
import type { Diagnosis, DelayStage, StageBreakdown } from './diagnosis-types.ts';
import { STAGE_LABEL } from './findings-jobs.ts';
import { format } from './series-math.ts';
import { renderResourceTable } from './render-resources.ts';

const COLUMNS: DelayStage[] = [
  'startDelay',
  'upload',
  'queueWait',
  'processing',
  'resultFetch',
  'unaccounted',
];

function shareCells(breakdown: StageBreakdown): string {
  return COLUMNS.map((stage) => {
    const share = breakdown.shares.find((one) => one.stage === stage);
    return share ? format.percent(share.shareOfEndToEnd) : '-';
  }).join(' | ');
}

function breakdownTable(overall: StageBreakdown, bySizeClass: StageBreakdown[]): string[] {
  const header =
    '| size class | jobs | mean size | end-to-end p50 | p95 | ' +
    `${COLUMNS.map((stage) => STAGE_LABEL[stage]).join(' | ')} |`;
  const row = (group: StageBreakdown, name: string) =>
    `| ${name} | ${group.jobs} | ${group.meanBytes > 0 ? format.size(group.meanBytes) : '-'} | ` +
    `${format.ms(group.endToEndP50Ms)} | ${format.ms(group.endToEndP95Ms)} | ` +
    `${shareCells(group)} |`;
  return [
    header,
    `|${' --- |'.repeat(5 + COLUMNS.length)}`,
    row(overall, 'all'),
    ...bySizeClass.map((group) => row(group, group.sizeClass ?? '')),
  ];
}

/** diagnosis.md: the headline, where time goes, each finding with evidence, then caveats. */
export function renderDiagnosisMarkdown(diagnosis: Diagnosis, run: RunFile): string {
  const lines = [
    `# Diagnosis: ${run.scenario.name}`,
    '',
    `Run \`${run.id}\` against ${run.target.url} (${run.target.profile}), ` +
      `${run.startedAt} to ${run.endedAt}, ${run.trials.length} trial(s), ` +
      `${run.host.cpus} cores.`,
    '',
    `**${diagnosis.headline}**`,
    '',
  ];

  if (diagnosis.overall) {
    lines.push(
      '## Where end-to-end time goes',
      '',
      'Share of all end-to-end job time spent in each stage (completed jobs after warm-up).',
      '',
      ...breakdownTable(diagnosis.overall, diagnosis.bySizeClass),
      '',
    );
  }

  lines.push(...renderResourceTable(run));

  lines.push('## Findings', '');
  if (diagnosis.findings.length === 0) lines.push('No finding crossed its threshold.', '');
  for (const finding of diagnosis.findings) {
    lines.push(
      `### ${finding.severity.toUpperCase()}: ${finding.title}`,
      '',
      `\`${finding.code}\``,
      '',
      ...finding.evidence.map((line) => `- ${line}`),
      '',
      `Next: ${finding.suggestion}`,
      '',
    );
  }

  const caveats = [
    ...run.caveats,
    ...run.trials.flatMap((trial) =>
      trial.caveats.map((caveat) => ({
        ...caveat,
        message: `trial ${trial.index}: ` + caveat.message,
      })),
    ),
  ];
  if (caveats.length > 0) {
    lines.push('## Caveats', '');
    caveats.forEach((caveat, index) => {
      lines.push(`${index + 1}. \`${caveat.code}\`: ${caveat.message}`);
    });
    lines.push('');
  }
  lines.push(
    'Thresholds of every finding are listed in docs/observe.md ' +
      '(source: src/analyze/thresholds.ts).',
  );
  return `${lines.join('\n')}\n`;
}
