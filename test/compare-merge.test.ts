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
