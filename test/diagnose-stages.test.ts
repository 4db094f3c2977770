import { describe, expect, it } from 'vitest';
import { diagnose, renderDiagnosisMarkdown } from '../src/analyze/diagnosis.ts';
import { TrialCollector } from '../src/record/collector.ts';
import { summariseAccuracy } from '../src/accuracy/summary.ts';
import { emptyJobCounts, summarise } from '../src/record/summary.ts';
import type { JobRecord, RunFile, TrialResult } from '../src/record/run-file.ts';
import { completedJobs, codes, MiB, oneTrialRun } from './helpers/diagnosis-fixtures.ts';

// Where end-to-end time goes: stage shares and percentiles, overall and per size class.

describe('where the largest delay is', () => {
  it('names queue wait when jobs mostly wait, with its share and percentiles', () => {
    const jobs = completedJobs(20, (i) => ({ queueWaitMs: 3000 + i, processingMs: 1000 }));
    const diagnosis = diagnose(oneTrialRun(), jobs);
    expect(diagnosis.largestDelay?.stage).toBe('queueWait');
    // 3009.5 ms waited of 4044.5 ms end-to-end on average.
    expect(diagnosis.largestDelay?.shareOfEndToEnd).toBeCloseTo(3009.5 / 4044.5, 6);
    // p50 is the HDR histogram's value (3 significant digits): within 0.1% of 3009.5 ms.
    expect(Math.abs(diagnosis.largestDelay!.p50Ms - 3009.5)).toBeLessThan(3.1);
    expect(diagnosis.headline).toMatch(/^Largest delay: queue wait, 74% of end-to-end/);
    const finding = diagnosis.findings[0];
    expect(finding.code).toBe('largest-delay');
    expect(finding.severity).toBe('warning');
    expect(finding.evidence.join('\n')).toMatch(/processing: 25% of end-to-end/);
    expect(codes(oneTrialRun(), jobs)).toContain('time-outside-ocr');
  });

  it('splits per size class and flags uploads that dominate the largest files', () => {
    const small = completedJobs(10, () => ({}));
    const large = completedJobs(10, () => ({
      sizeClass: 'scan-20mb',
      bytes: 20 * MiB,
      uploadMs: 2000,
      processingMs: 900,
    }));
    const diagnosis = diagnose(oneTrialRun(), [...large, ...small]);
    expect(diagnosis.bySizeClass.map((group) => group.sizeClass)).toEqual(['small', 'scan-20mb']);
    expect(diagnosis.bySizeClass[1].shares[0].stage).toBe('upload');
    const upload = diagnosis.findings.find((f) => f.code === 'upload-heavy');
    expect(upload?.title).toMatch(/Uploads take 66% of the largest files' time/);
    expect(upload?.evidence[1]).toMatch(/upload p50 2\.00 s \(10\.0 MiB\/s\)/);
  });

  it('falls back to run.json stage means without a job log, and copes with no jobs', () => {
    const stats = (meanMs: number) => ({
      count: 10,
      minMs: meanMs,
      meanMs,
      p50Ms: meanMs,
      p90Ms: meanMs,
      p95Ms: meanMs,
      p99Ms: meanMs,
      maxMs: meanMs,
      histogram: '',
    });
    const run = oneTrialRun({
      trial: { stages: { processing: stats(3000), queueWait: stats(500), endToEnd: stats(4000) } },
    });
    expect(diagnose(run, []).largestDelay).toMatchObject({ stage: 'processing', p50Ms: 3000 });
    expect(diagnose(run, []).largestDelay?.shareOfEndToEnd).toBeCloseTo(0.75, 6);
    const empty = diagnose(oneTrialRun({ completed: 0 }), []);
    expect(empty.largestDelay).toBeNull();
    expect(empty.headline).toMatch(/No completed jobs/);
  });
});

describe('jobs that did not complete', () => {
  it('names the commonest last errors, so the finding says what to fix', () => {
    const jobs = completedJobs(20, (i) => ({
      fate: 'timedOut',
      processingMs: undefined,
      error: `no result within 60 s (last poll: ${i < 15 ? 'HTTP 500' : 'malformed JSON'})`,
    }));
    const counts = { ...emptyJobCounts(), submitted: 20, timedOut: 20 };
    const run = oneTrialRun({ completed: 0, trial: { jobs: counts } });
    const finding = diagnose(run, jobs).findings.find((f) => f.code === 'jobs-failing');
    expect(finding?.evidence).toContain(
      'last errors: 20 timed out; last poll: HTTP 500 (15), last poll: malformed JSON (5)',
    );
  });
});

describe('percentiles: the diagnosis and run.json agree', () => {
  /** run.json as the run writes it for `jobs`: collector, trials merged by summarise. */
  function runOf(jobs: JobRecord[]): RunFile {
    const collector = new TrialCollector();
    for (const job of jobs) collector.add(job, null, null, job.scheduledAtMs + job.endToEndMs!);
    const base = oneTrialRun({ completed: jobs.length });
    const trial: TrialResult = {
      ...base.trials[0],
      stages: collector.stages(),
      bySizeClass: collector.sizeClasses(summariseAccuracy),
    };
    return { ...base, trials: [trial], summary: summarise([trial], []) };
  }

  it('reports the HDR percentiles of run.json, not interpolated ones', () => {
    // Two size classes with spread-out, irregular stage times: interpolation between
    // neighbouring jobs and HDR's bucket values differ for almost every percentile.
    const jobs = completedJobs(37, (i) => ({
      sizeClass: i % 3 === 0 ? 'large' : 'small',
      bytes: i % 3 === 0 ? 2 * MiB : 50_000,
      uploadMs: 13.37 + ((i * 7919) % 101),
      queueWaitMs: 250.5 + ((i * 104_729) % 1_733),
      processingMs: 911.25 + ((i * 1299) % 617) * 1.5,
      resultFetchMs: 3.3 + (i % 7),
    }));
    const run = runOf(jobs);
    const diagnosis = diagnose(run, jobs);
    const overall = diagnosis.overall!;
    const endToEnd = run.summary.stages.endToEnd!;
    expect(overall.endToEndP50Ms).toBe(endToEnd.p50Ms);
    expect(overall.endToEndP95Ms).toBe(endToEnd.p95Ms);
    for (const stage of ['upload', 'queueWait', 'processing', 'resultFetch'] as const) {
      const share = overall.shares.find((one) => one.stage === stage)!;
      expect([share.p50Ms, share.p95Ms], stage).toEqual([
        run.summary.stages[stage]!.p50Ms,
        run.summary.stages[stage]!.p95Ms,
      ]);
    }
    for (const group of diagnosis.bySizeClass) {
      const stats = run.summary.bySizeClass[group.sizeClass!].stages;
      expect(group.endToEndP50Ms).toBe(stats.endToEnd!.p50Ms);
      expect(group.endToEndP95Ms).toBe(stats.endToEnd!.p95Ms);
      const queue = group.shares.find((one) => one.stage === 'queueWait')!;
      expect(queue.p95Ms).toBe(stats.queueWait!.p95Ms);
    }
    // The same number in both reports, as printed.
    const markdown = renderDiagnosisMarkdown(diagnosis, run);
    const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    const allRow = markdown.split('\n').find((line) => line.startsWith('| all | 37 |'));
    expect(allRow).toContain(`| ${seconds(endToEnd.p50Ms)} | ${seconds(endToEnd.p95Ms)} |`);
  });
});

describe('diagnosis report', () => {
  it('renders the headline, the stage table and each finding', () => {
    const run = oneTrialRun();
    const jobs = completedJobs(20, () => ({ queueWaitMs: 3000 }));
    const markdown = renderDiagnosisMarkdown(diagnose(run, jobs), run);
    expect(markdown).toContain('**Largest delay: queue wait, 74% of end-to-end time');
    // Columns: start delay, upload, queue wait, processing, result fetch, other.
    const row = '| all | 20 | 48.8 KiB | 4.04 s | 4.04 s | 0% | 0% | 74% | 25% | 0% | 0% |';
    expect(markdown).toContain(row);
    expect(markdown).toContain('### WARNING: The largest delay is queue wait');
    expect(markdown).toContain('`time-outside-ocr`');
  });
});
