import { describe, expect, it } from 'vitest';
import { mergeJobLogs, mergeRuns } from '../src/compare/merge-runs.ts';
import { mergedStageHistogram } from '../src/compare/histograms.ts';
import { makeRun } from './helpers/make-run.ts';

describe('merging single-trial runs (ocrbench ab)', () => {
  const parts = [1, 2, 3].map((seed) =>
    makeRun({ id: `b-${seed}`, seed, trials: 1, jobsPerTrial: 120, failedPerTrial: seed }),
  );
  const merged = mergeRuns(parts, 'baseline-ab');

  it('concatenates trials in order and re-indexes them', () => {
    expect(merged.id).toBe('baseline-ab');
    expect(merged.trials.map((t) => t.index)).toEqual([0, 1, 2]);
    expect(merged.trials[2].startedAt).toBe(parts[2].trials[0].startedAt);
    expect(merged.complete).toBe(true);
  });

  it('sums counts and merges histograms rather than percentiles', () => {
    expect(merged.summary.jobs.completed).toBe(360);
    expect(merged.summary.jobs.failed).toBe(6);
    expect(merged.summary.jobs.failedByClass.http5xx).toBe(6);
    expect(merged.summary.stages.endToEnd!.count).toBe(360);
    const direct = mergedStageHistogram(merged, 'endToEnd');
    expect(merged.summary.stages.endToEnd!.p95Ms).toBeCloseTo(
      direct.getValueAtPercentile(95) / 1000,
      6,
    );
    const seconds = parts.reduce((sum, run) => sum + run.trials[0].durationSeconds, 0);
    expect(merged.summary.durationSeconds).toBe(seconds);
    expect(merged.summary.throughput.completedPerSecond).toBeCloseTo(360 / seconds, 9);
    expect(merged.summary.throughput.series.tSeconds.length).toBe(seconds);
  });

  it('pools CER exactly by reference characters when the trials record them', () => {
    const withTotals = (seed: number, edits: number, chars: number, jobs: number) => {
      const run = makeRun({ id: `cer-${seed}`, seed, trials: 1, jobsPerTrial: jobs });
      run.trials[0].accuracy = {
        ...run.trials[0].accuracy!,
        cer: edits / chars,
        jobsChecked: jobs,
        characterEdits: edits,
        referenceChars: chars,
      };
      return run;
    };
    // A short run with a bad CER and a long one with a good CER: by jobs the mean would be
    // (0.1 * 10 + 0.001 * 10) / 20 = 5.05%; by characters it is 110 / 11,000.
    const run = mergeRuns([withTotals(1, 100, 1000, 10), withTotals(2, 10, 10_000, 10)], 'm');
    expect(run.summary.accuracy!.cer).toBeCloseTo(110 / 11_000, 12);
    expect(run.summary.accuracy!.referenceChars).toBe(11_000);
    // Without the totals (older run files) it falls back to weighting by checked jobs.
    const old = mergeRuns([parts[0], parts[1]], 'old');
    expect(old.summary.accuracy!.cer).toBeCloseTo(0.031, 12);
  });

  it('marks the merged run incomplete when any part is', () => {
    const broken = makeRun({ id: 'x', trials: 1, jobsPerTrial: 20, complete: false });
    const result = mergeRuns([parts[0], broken], 'm');
    expect(result.complete).toBe(false);
    expect(result.stopReason).toBe('interrupted');
  });

  it('renumbers the trial of each job log line', () => {
    const logs = [
      '{"trial":0,"jobId":"a"}\n',
      '{"trial":0,"jobId":"b"}\n{"trial":0,"jobId":"c"}\n',
    ];
    const text = mergeJobLogs(logs, [1, 1]);
    expect(
      text
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).trial),
    ).toEqual([0, 1, 1]);
  });
});
