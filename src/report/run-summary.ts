import type { RunFile, StageName, StageMap } from '../record/run-file.ts';
import { markdownTable, ms, percent, rate, textTable } from './format.ts';
import { lastErrorLines, type LastErrors } from '../analyze/last-errors.ts';
import { plural } from '../util/plural.ts';

const STAGE_LABELS: Array<[StageName, string]> = [
  // Waiting inside ocrbench before sending (in-flight cap, late generator): not the service.
  ['startDelay', 'start delay (ocrbench)'],
  ['upload', 'upload'],
  ['queueWait', 'queue wait'],
  ['processing', 'processing'],
  ['resultFetch', 'result fetch'],
  ['endToEnd', 'end to end'],
];

function stageRows(stages: StageMap): string[][] {
  return STAGE_LABELS.filter(([name]) => stages[name]).map(([name, label]) => {
    const s = stages[name]!;
    return [
      label,
      String(s.count),
      ms(s.p50Ms),
      ms(s.p90Ms),
      ms(s.p95Ms),
      ms(s.p99Ms),
      ms(s.maxMs),
    ];
  });
}

const STAGE_HEADER = ['stage', 'jobs', 'p50', 'p90', 'p95', 'p99', 'max'];

function fateLine(run: RunFile): string {
  const j = run.summary.jobs;
  const classes = Object.entries(j.failedByClass)
    .map(([name, count]) => `${name} ${count}`)
    .join(', ');
  return (
    `submitted ${j.submitted} = completed ${j.completed} + failed ${j.failed}` +
    `${classes ? ` (${classes})` : ''} + timed out ${j.timedOut} + lost ${j.lost}` +
    ` + in flight ${j.inFlight}`
  );
}

/**
 * What became of the jobs, leading with what went wrong: "0 of 16 jobs completed: 16 failed
 * (http5xx)". A run whose every job failed must not read like a quiet success.
 */
export function outcomeLine(run: RunFile): string {
  const j = run.summary.jobs;
  if (j.submitted === 0) {
    return run.complete
      ? 'no job was submitted'
      : `no job was submitted before the run stopped (${run.stopReason})`;
  }
  const classes = Object.entries(j.failedByClass).filter(([, count]) => (count ?? 0) > 0);
  const why =
    classes.length === 1
      ? ` (${classes[0][0]})`
      : classes.length > 1
        ? ` (${classes.map(([name, count]) => `${name} ${count}`).join(', ')})`
        : '';
  const problems = [
    j.failed > 0 ? `${j.failed} failed${why}` : null,
    j.timedOut > 0 ? `${j.timedOut} timed out` : null,
    j.lost > 0 ? `${j.lost} lost` : null,
    j.inFlight > 0 ? `${j.inFlight} still in flight` : null,
  ].filter(Boolean);
  return (
    `${j.completed} of ${plural(j.submitted, 'job')} completed` +
    `${problems.length > 0 ? `: ${problems.join(', ')}` : ''}`
  );
}

/** "throttled: 5 answers 429 ..." when the service pushed back, else null. */
function throttledLine(run: RunFile): string | null {
  const count = run.summary.jobs.throttled;
  if (!count) return null;
  return (
    `throttled: ${count} answer(s) 429 Too Many Requests (Retry-After honoured, upload ` +
    'retried)'
  );
}

/** Jobs were sent and none completed: the run measured failures only. */
function nothingCompleted(run: RunFile): boolean {
  return run.summary.jobs.submitted > 0 && run.summary.jobs.completed === 0;
}

/**
 * Why accuracy was not checked: no job completed (no text to check), or the completed jobs'
 * files have no ground truth (imported without sidecars).
 */
function accuracyNotChecked(run: RunFile): string {
  return run.summary.jobs.completed === 0
    ? 'no job completed'
    : 'the dataset has no ground truth for the completed jobs';
}

/**
 * The table printed on stdout after a run; a run without completed jobs leads with it.
 * `errors` (from jobs.ndjson) says why jobs failed or timed out.
 */
export function terminalSummary(
  run: RunFile,
  runDir: string,
  headline?: string,
  errors?: LastErrors,
): string {
  const s = run.summary;
  const failedRun = nothingCompleted(run);
  const lines = [
    ...(failedRun ? [`NO JOB COMPLETED: ${outcomeLine(run)}`, ''] : []),
    `${run.scenario.name}: ${plural(run.trials.length, 'trial')}, ` +
      `${s.durationSeconds.toFixed(1)} s` +
      `${run.complete ? '' : `  [INCOMPLETE: ${run.stopReason}]`}`,
    ...(failedRun ? [] : [outcomeLine(run)]),
    fateLine(run),
    ...(errors ? lastErrorLines(errors).map((line) => `last errors: ${line}`) : []),
    ...[throttledLine(run)].filter((line): line is string => line !== null),
    `throughput: submitted ${rate(s.throughput.submittedPerSecond)}, completed ` +
      `${rate(s.throughput.completedPerSecond)}`,
    '',
    failedRun
      ? 'latency: none measured (no job completed)'
      : textTable(STAGE_HEADER, stageRows(s.stages)),
    '',
    s.accuracy
      ? `accuracy: CER ${percent(s.accuracy.cer)}, WER ${percent(s.accuracy.wer)} over ` +
        `${plural(s.accuracy.jobsChecked, 'job')}`
      : `accuracy: not checked (${failedRun ? 'no job completed' : 'no ground truth'})`,
  ];
  if (s.caveats.length > 0) {
    lines.push('', 'caveats:', ...s.caveats.map((c, i) => `  [${i + 1}] ${c.message}`));
  }
  if (headline) lines.push('', `diagnosis: ${headline}`);
  lines.push('', `report: ${runDir}/summary.md  (diagnosis: ${runDir}/diagnosis.md)`);
  return `${lines.join('\n')}\n`;
}

/**
 * `summary.md`: the run at a glance, with caveats as footnotes. `errors` (from jobs.ndjson)
 * lists the commonest last errors of jobs that failed or timed out.
 */
export function markdownSummary(run: RunFile, errors?: LastErrors): string {
  const s = run.summary;
  const notes = s.caveats.map((c, i) => `[^${i + 1}]: ${c.message}`);
  const marks = s.caveats.map((_, i) => `[^${i + 1}]`).join('');
  const out: string[] = [
    `# ${run.scenario.name}`,
    '',
    `Run \`${run.id}\`, ${run.startedAt} to ${run.endedAt}, ` +
      `${plural(run.trials.length, 'trial')}, ` +
      `target ${run.target.url} (profile \`${run.target.profile}\`)` +
      (run.target.builtin
        ? ` built-in, faults: ${JSON.stringify(run.target.builtin.faults ?? [])}.`
        : '.'),
    run.complete
      ? ''
      : `\n**Incomplete run: ${run.stopReason}.** Numbers cover what was measured.\n`,
    nothingCompleted(run) ? `\n**No job completed: ${outcomeLine(run)}.**\n` : '',
    `## Jobs${marks}`,
    '',
    `${outcomeLine(run)}.`,
    '',
    fateLine(run),
    '',
    ...errorList(errors),
    ...[throttledLine(run)].filter((line): line is string => line !== null).map((l) => `${l}.\n`),
    `Throughput: submitted ${rate(s.throughput.submittedPerSecond)}, completed ` +
      `${rate(s.throughput.completedPerSecond)}.`,
    '',
    '## Latency by stage',
    '',
    'Percentiles of completed jobs from HDR histograms. End to end is measured from each ' +
      "job's intended start; queue wait and processing come from the service's timestamps " +
      'where it reports them.',
    '',
    markdownTable(STAGE_HEADER, stageRows(s.stages)),
    '',
  ];
  const classes = Object.entries(s.bySizeClass);
  if (classes.length > 0) {
    out.push('## By size class', '');
    const rows = classes.map(([name, c]) => [
      name,
      String(c.jobs.submitted),
      String(c.jobs.completed),
      ms(c.stages.upload?.p95Ms),
      ms(c.stages.queueWait?.p95Ms),
      ms(c.stages.processing?.p95Ms),
      ms(c.stages.endToEnd?.p95Ms),
      percent(c.accuracy?.cer),
    ]);
    out.push(
      markdownTable(
        [
          'size class',
          'submitted',
          'completed',
          'upload p95',
          'queue p95',
          'processing p95',
          'end-to-end p95',
          'CER',
        ],
        rows,
      ),
      '',
    );
  }
  out.push('## Accuracy', '');
  if (s.accuracy) {
    out.push(
      `Character error rate ${percent(s.accuracy.cer)}, word error rate ` +
        `${percent(s.accuracy.wer)} over ${plural(s.accuracy.jobsChecked, 'job')} with ground ` +
        'truth' +
        `${s.accuracy.jobsWithoutTruth ? ` (${s.accuracy.jobsWithoutTruth} without)` : ''}; ` +
        `${s.accuracy.emptyResults} empty results.`,
      '',
    );
    const worst = s.accuracy.worst.filter((w) => w.cer > 0).slice(0, 10);
    if (worst.length > 0) {
      out.push(
        'Worst jobs:',
        '',
        markdownTable(
          ['job', 'file', 'size class', 'CER', 'WER'],
          worst.map((w) => [w.jobId, w.file, w.sizeClass, percent(w.cer), percent(w.wer)]),
        ),
        '',
      );
    }
  } else {
    out.push(`Not checked: ${accuracyNotChecked(run)}.`, '');
  }
  if (notes.length > 0) out.push(...notes, '');
  return out.filter((line, i, all) => !(line === '' && all[i - 1] === '')).join('\n');
}

/** The "Last errors" list of summary.md, or nothing when every job completed. */
function errorList(errors: LastErrors | undefined): string[] {
  const lines = errors ? lastErrorLines(errors) : [];
  if (lines.length === 0) return [];
  return [
    'Last error of each job that did not complete, commonest first (count in brackets; ' +
      'every job in jobs.ndjson):',
    '',
    ...lines.map((line) => `- ${line}`),
    '',
  ];
}
