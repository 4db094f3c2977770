import { describe, expect, it } from 'vitest';
import { mergeMessages } from '../src/compare/compare-caveats.ts';
import { compareRuns } from '../src/compare/compare-runs.ts';
import { evaluateGate } from '../src/compare/gate.ts';
import { resolveGate } from '../src/compare/gate-schema.ts';
import { mergedStageHistogram } from '../src/compare/histograms.ts';
import { stageSegments, validationHtml } from '../src/report/html/validation-html.ts';
import { axisRange, lineChart, niceCeil } from '../src/report/html/svg.ts';
import { gateMarkdown } from '../src/report/validation-gate.ts';
import { validationMarkdown } from '../src/report/validation-md.ts';
import { comparisonTable } from '../src/report/validation-table.ts';
import { makeRun } from './helpers/make-run.ts';

const loaded = (run: ReturnType<typeof makeRun>) => ({ run, source: run.id, dir: '.' });

describe('carried caveats', () => {
  const late = (jobs: number) =>
    `${jobs} jobs started more than 10 ms after their intended time; their latency is still ` +
    'measured from the intended time.';
  const few = 'Only 16 completed jobs: p95 and p99 rest on one or two jobs each.';
  const baseline = makeRun({ id: 'cav-a', seed: 1, trials: 3, jobsPerTrial: 40 });
  baseline.trials.forEach((trial) => trial.caveats.push({ code: 'few-jobs', message: few }));
  baseline.trials[0].caveats.push({ code: 'behind-schedule', message: late(1) });
  baseline.trials[2].caveats.push({ code: 'behind-schedule', message: late(4) });
  const candidate = makeRun({ id: 'cav-b', seed: 2, trials: 3, jobsPerTrial: 40 });
  candidate.trials[1].caveats.push({ code: 'behind-schedule', message: late(2) });
  const comparison = compareRuns(loaded(baseline), loaded(candidate), { resamples: 200 });

  it('groups a code reported by several trials into one caveat, with the trials', () => {
    const carried = comparison.caveats.filter((caveat) => caveat.source !== 'comparison');
    expect(carried.map((c) => [c.source, c.code, c.trials])).toEqual([
      ['baseline', 'few-jobs', [1, 2, 3]],
      ['baseline', 'behind-schedule', [1, 3]],
      ['candidate', 'behind-schedule', [2]],
    ]);
    expect(carried[0].message).toBe(few);
    // Differing only in a number: one message with the range over the trials.
    expect(carried[1].message).toBe(late(1).replace('1 jobs', '1-4 jobs'));
    expect(carried[2].message).toBe(late(2));
  });

  it('labels each caveat with its side and trials in the table, validation.md and gate', () => {
    const table = comparisonTable(comparison);
    expect(table).toContain(`baseline, all 3 trials: ${few} (few-jobs)`);
    expect(table).toContain('baseline, 2 of 3 trials (1, 3): 1-4 jobs started');
    expect(table).toContain('candidate, 1 of 3 trials (2): 2 jobs started');
    expect(table).not.toMatch(/\] baseline: /);
    const markdown = validationMarkdown(comparison);
    expect(markdown).toMatch(/\]: \(baseline, 2 of 3 trials \(1, 3\)\) 1-4 jobs started/);
    const gate = evaluateGate(loaded(baseline), loaded(candidate), resolveGate(), {
      resamples: 200,
    });
    expect(gate.caveats).toContain(`baseline, all 3 trials: ${few} (few-jobs)`);
  });

  it('lists messages that differ in more than numbers, each with its trials', () => {
    const merged = mergeMessages([
      { trial: 1, message: 'Disk full.' },
      { trial: 2, message: 'Disk slow.' },
      { trial: 3, message: 'Disk full.' },
    ]);
    expect(merged).toBe('trials 1, 3: Disk full. / trial 2: Disk slow.');
    expect(
      mergeMessages([
        { trial: 1, message: 'x 0.5 s' },
        { trial: 2, message: 'x 12 s' },
      ]),
    ).toBe('x 0.5-12.0 s');
  });
});

describe('validation.html charts', () => {
  const run = makeRun({ id: 'st', seed: 5, trials: 2, jobsPerTrial: 200 });

  it('stacks the stage p50s and "other" up to the end-to-end p50', () => {
    const segments = stageSegments(run);
    expect(segments.map((s) => s.name)).toEqual(['upload', 'queueWait', 'processing', 'other']);
    const endToEnd = mergedStageHistogram(run, 'endToEnd').getValueAtPercentile(50) / 1000;
    const total = segments.reduce((sum, s) => sum + s.value, 0);
    expect(total).toBeCloseTo(endToEnd, 9);
    // Result fetch and the hand-offs are not in the three stages: "other" is not empty.
    expect(segments[3].value).toBeGreaterThan(0);
    const comparison = compareRuns(loaded(run), loaded(run), { resamples: 200 });
    const html = validationHtml(comparison, run, run);
    expect(html).toContain(`<title>other: ${segments[3].value.toFixed(1)} ms</title>`);
    // Runs that measured the wait before sending show it as its own segment.
    const delayed = structuredClone(run);
    for (const trial of delayed.trials) trial.stages.startDelay = trial.stages.resultFetch;
    const withDelay = stageSegments(delayed, true);
    expect(withDelay.map((s) => s.name)).toEqual([
      'startDelay',
      'upload',
      'queueWait',
      'processing',
      'other',
    ]);
    expect(withDelay.reduce((sum, s) => sum + s.value, 0)).toBeCloseTo(endToEnd, 9);
    expect(withDelay[0].value).toBeGreaterThan(0);
    expect(validationHtml(comparison, delayed, run)).toMatch(/<title>startDelay: [\d.]+ ms/);
  });

  it('starts axes at 0 and ends them at a round number, also for an all-zero series', () => {
    expect([0, 6, 9, 100, 190, 660, 0.3].map(niceCeil)).toEqual([1, 8, 10, 100, 200, 800, 0.4]);
    expect(axisRange(0, 0)).toEqual([0, 1]);
    const svg = lineChart({
      title: 'Queue depth',
      xLabel: 's',
      yLabel: 'jobs',
      series: [
        {
          name: 'a',
          colour: '#000',
          points: [
            [1, 0],
            [2, 0],
            [3, 0],
          ],
        },
      ],
    });
    const labels = [...svg.matchAll(/text-anchor="end">([^<]*)</g)].map((m) => m[1]);
    expect(labels).toEqual(['0', '0.25', '0.50', '0.75', '1']);
    const xLabels = [...svg.matchAll(/text-anchor="middle">([^<]*)</g)].map((m) => m[1]);
    expect(xLabels.slice(0, 5)).toEqual(['0', '1', '2', '3', '4']);
    expect(svg).not.toMatch(/>-1(\.00)?</);
  });
});

describe('confidence level of intervals', () => {
  const a = makeRun({ id: 'ci-a', seed: 7, trials: 3, jobsPerTrial: 60 });
  const b = makeRun({ id: 'ci-b', seed: 8, trials: 3, jobsPerTrial: 60 });

  it('labels compare at 1 - alpha (95% by default, 97.5% when asked)', () => {
    const table = comparisonTable(compareRuns(loaded(a), loaded(b), { resamples: 200 }));
    expect(table).toContain('intervals: 95% two-sided (1 - alpha 0.05)');
    expect(table).toMatch(/change +95% interval/);
    const strict = compareRuns(loaded(a), loaded(b), { resamples: 200, alpha: 0.025 });
    expect(comparisonTable(strict)).toMatch(/change +97\.5% interval/);
    expect(validationMarkdown(strict)).toContain('| 97.5% interval |');
  });

  it("labels the gate's intervals at its own level (99% for alpha 0.01)", () => {
    const summary = gateMarkdown(evaluateGate(loaded(a), loaded(b), resolveGate(), {}));
    expect(summary).toContain('Intervals are two-sided 99% bootstrap intervals over trials');
    expect(summary).toContain('| Check | Rule | Observed | 99% interval | Result |');
    expect(summary).toMatch(/\| relative endToEnd\.p95Ms \| [^|]+ \| [^|]+ \| [-+]\d+\.\d% \.\. /);
    const one = (id: string, seed: number) => makeRun({ id, seed, trials: 1, jobsPerTrial: 60 });
    const jobs = gateMarkdown(
      evaluateGate(loaded(one('j1', 1)), loaded(one('j2', 2)), resolveGate()),
    );
    expect(jobs).toContain('basis: jobs. No intervals: too few trials for trial-level statistics.');
  });
});
