import { afterEach, describe, expect, it } from 'vitest';
import { startFakeOcrServer, type FakeOcrServer } from './servers/fake-ocr-server.ts';
import { driveEngine } from './helpers/drive-engine.ts';
import { TrialCollector, type AccuracySummariser } from '../src/record/collector.ts';
import type { JobRecord, TrialResult } from '../src/record/run-file.ts';
import { summarise } from '../src/record/summary.ts';
import { noObservations, quietGenerator } from './helpers/make-run.ts';

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

  it('leaves warm-up jobs and their seconds out of the throughput series', () => {
    const collector = new TrialCollector();
    // Warm-up: 6 jobs in the first 2.5 s; then 8 measured jobs, 4 per second.
    for (let i = 0; i < 6; i++) {
      collector.submitted(i * 400, 1, true);
      collector.add({ ...job('completed', 's', 100), warmup: true }, 't', 't', i * 400 + 100);
    }
    for (let i = 0; i < 8; i++) {
      const atMs = 3000 + i * 250;
      collector.submitted(atMs);
      collector.add({ ...job('completed', 's', 100), scheduledAtMs: atMs }, 't', 't', atMs + 100);
    }
    const series = collector.series(5.2);
    expect(series.tSeconds).toEqual([3, 4, 5]);
    expect(series.submitted).toEqual([4, 4, 0]);
    expect(series.completed).toEqual([4, 4, 0]);
    expect(collector.jobsSent).toBe(14); // the progress line still counts the warm-up
    // Each measured second averages 4 completed/s, not diluted by warm-up zeros.
    const full = series.completed.slice(0, 2);
    expect(full.reduce((a, b) => a + b, 0) / full.length).toBe(4);

    // Trials laid end to end keep their warm-up seconds out, and time still increases.
    const trial = (index: number) => ({
      ...trialOf(index, collector),
      throughput: { submittedPerSecond: 4, completedPerSecond: 4, series },
    });
    const merged = summarise([trial(0), trial(1)], []);
    expect(merged.throughput.series.tSeconds).toEqual([3, 4, 5, 9, 10, 11]);
    expect(merged.throughput.series.completed).toEqual([4, 4, 0, 4, 4, 0]);
  });

  it('merges trials by summing counts and merging histograms', () => {
    const trials = [0, 1].map((index) => {
      const collector = new TrialCollector();
      for (let i = 1; i <= 50; i++) {
        collector.add(job('completed', 's', index === 0 ? 100 : 1000 + i), 't', 't', i * 100);
      }
      return trialOf(index, collector);
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

/** A trial result as runTrial builds it from a collector. */
function trialOf(index: number, collector: TrialCollector): TrialResult {
  return {
    index,
    startedAt: '2026-01-01T00:00:00.000Z',
    endedAt: '2026-01-01T00:00:10.000Z',
    durationSeconds: 10,
    warmupJobs: collector.warmupJobs,
    jobs: collector.counts(),
    throughput: { submittedPerSecond: 5, completedPerSecond: 5, series: collector.series(10) },
    stages: collector.stages(),
    bySizeClass: collector.sizeClasses(countOnly),
    accuracy: null,
    generator: quietGenerator(),
    observations: noObservations(),
    caveats: [{ code: 'few-jobs', message: 'same' }],
  };
}

describe('warm-up against a real service', () => {
  let server: FakeOcrServer | null = null;
  afterEach(async () => {
    await server?.close();
    server = null;
  });

  it('keeps the warm-up out of the series the engine records', async () => {
    // One client, 300 ms per job: 4 warm-up jobs fill the first 1.2 s, then 5 measured.
    server = await startFakeOcrServer({ processingMs: 300 });
    const { collector, records, lengthMs } = await driveEngine(server.url, {
      target: { profile: 'sync' },
      load: { model: 'closed', concurrency: 1, jobs: 5 },
      warmup: { jobs: 4 },
    });
    expect(records.filter((record) => record.warmup)).toHaveLength(4);
    const firstMeasuredMs = Math.min(
      ...records.filter((record) => !record.warmup).map((record) => record.scheduledAtMs),
    );
    expect(firstMeasuredMs).toBeGreaterThanOrEqual(1200);
    const series = collector.series(lengthMs / 1000);
    expect(series.tSeconds[0]).toBe(Math.floor(firstMeasuredMs / 1000));
    expect(series.tSeconds.at(-1)).toBe(Math.ceil(lengthMs / 1000) - 1);
    expect(series.submitted.reduce((a, b) => a + b, 0)).toBe(5);
    expect(series.completed.reduce((a, b) => a + b, 0)).toBe(5);
  });
});
