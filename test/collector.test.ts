import { describe, expect, it } from 'vitest';
import { TrialCollector, type AccuracySummariser } from '../src/record/collector.ts';
import type { JobRecord } from '../src/record/run-file.ts';
import { summarise } from '../src/record/summary.ts';

// A stand-in summariser: these tests are about counting, the real one has its own tests.
const countOnly: AccuracySummariser = (jobs) => ({
  cer: 0,
  wer: 0,
  jobsChecked: jobs.length,
  jobsWithoutTruth: 0,
  emptyResults: 0,
  worst: [],
});

function job(fate: JobRecord['fate'], sizeClass: string, endToEndMs: number): JobRecord {
  return {
    trial: 0,
    jobId: 'j',
    file: `${sizeClass}.png`,
    sizeClass,
    bytes: 1,
    fate,
    warmup: false,
    scheduledAtMs: 0,
    ...(fate === 'completed'
      ? { uploadMs: 5, queueWaitMs: 10, processingMs: endToEndMs - 20, endToEndMs }
      : {}),
    ...(fate === 'failed' ? { failureClass: 'http5xx' as const } : {}),
  };
}

describe('trial collector', () => {
  it('counts every fate once and times completed jobs only', () => {
    const collector = new TrialCollector();
    const fates: Array<[JobRecord['fate'], string]> = [
      ['completed', 'small'],
      ['completed', 'small'],
      ['completed', 'large'],
      ['failed', 'large'],
      ['timedOut', 'small'],
      ['lost', 'large'],
      ['inFlight', 'small'],
    ];
    fates.forEach(([fate, size], i) =>
      collector.add(job(fate, size, 100 * (i + 1)), 't', 't', 1500),
    );
    collector.add({ ...job('completed', 'small', 50), warmup: true }, 't', 't', 10);

    const counts = collector.counts();
    expect(counts).toMatchObject({ submitted: 7, completed: 3, failed: 1, timedOut: 1, lost: 1 });
    expect(counts.inFlight).toBe(1);
    expect(counts.failedByClass).toEqual({ http5xx: 1 });
    expect(counts.completed + counts.failed + counts.timedOut + counts.lost + counts.inFlight).toBe(
      counts.submitted,
    );
    expect(collector.warmupJobs).toBe(1);

    const stages = collector.stages();
    expect(stages.endToEnd?.count).toBe(3);
    expect(stages.queueWait?.count).toBe(3);
    expect(stages.endToEnd?.maxMs).toBeCloseTo(300, 0);

    const classes = collector.sizeClasses(countOnly);
    expect(Object.keys(classes)).toEqual(['large', 'small']);
    expect(classes.small.jobs.submitted).toBe(4);
    expect(classes.large.stages.endToEnd?.count).toBe(1);
    expect(classes.small.accuracy?.jobsChecked).toBe(2);
  });

  it('builds per-second throughput series', () => {
    const collector = new TrialCollector();
    collector.submitted(100);
    collector.submitted(900);
    collector.submitted(2100);
    collector.add(job('completed', 's', 100), 't', 't', 2500);
    const series = collector.series(3);
    expect(series.tSeconds).toEqual([0, 1, 2]);
    expect(series.submitted).toEqual([2, 0, 1]);
    expect(series.completed).toEqual([0, 0, 1]);
  });

  it('merges trials by summing counts and merging histograms', () => {
    const trials = [0, 1].map((index) => {
      const collector = new TrialCollector();
      for (let i = 1; i <= 50; i++) {
        collector.add(job('completed', 's', index === 0 ? 100 : 1000 + i), 't', 't', i * 100);
      }
      return {
        index,
        startedAt: '2026-01-01T00:00:00.000Z',
        endedAt: '2026-01-01T00:00:10.000Z',
        durationSeconds: 10,
        warmupJobs: 0,
        jobs: collector.counts(),
        throughput: { submittedPerSecond: 5, completedPerSecond: 5, series: collector.series(10) },
        stages: collector.stages(),
        bySizeClass: collector.sizeClasses(countOnly),
        accuracy: null,
        generator: {
          eventLoopDelayP99Ms: 0,
          eventLoopDelayMaxMs: 0,
          cpuPercent: 0,
          behindScheduleJobs: 0,
          cappedJobs: 0,
        },
        observations: {
          queue: null,
          processes: null,
          host: null,
          folders: [],
          metrics: null,
          resultFiles: null,
        },
        caveats: [{ code: 'few-jobs', message: 'same' }],
      };
    });
    const merged = summarise(trials, []);
    expect(merged.jobs.completed).toBe(100);
    expect(merged.stages.endToEnd?.count).toBe(100);
    // Half the jobs took 100 ms, half about 1 s: the merged median sits at the boundary,
    // and p90 is in the slow trial, which no average of the two trials' p90s would give.
    expect(merged.stages.endToEnd?.p90Ms).toBeGreaterThan(1000);
    expect(merged.stages.endToEnd?.p50Ms).toBeLessThanOrEqual(101);
    expect(merged.caveats).toHaveLength(1);
    expect(merged.throughput.series.tSeconds).toHaveLength(20);
  });
});
