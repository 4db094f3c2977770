import { afterEach, describe, expect, it } from 'vitest';
import { diagnose, renderDiagnosisMarkdown } from '../src/analyze/diagnosis.ts';
import type { QueueSeries } from '../src/record/run-file.ts';
import { completedJobs, codes, MiB, oneTrialRun, series } from './helpers/diagnosis-fixtures.ts';

// Findings from what the samplers saw: the queue and the target's processes (the generator's
// own health: diagnose-generator.test.ts).

describe('trends and resources', () => {
  it('finds processing time trending upward, and not when it is flat', () => {
    const rising = completedJobs(40, (i) => ({ processingMs: 1000 + 25 * i }));
    const trend = diagnose(oneTrialRun(), rising).findings.find(
      (f) => f.code === 'processing-trend-up',
    );
    // Fitted rise: 25 ms/s x ~39 s over a median of ~1500 ms = about 65%.
    expect(trend?.title).toMatch(/Processing time rose 6\d% over the run/);
    const flat = completedJobs(40, (i) => ({ processingMs: 1000 + (i % 5) * 10 }));
    expect(codes(oneTrialRun(), flat)).not.toContain('processing-trend-up');
  });

  it('sees a growing queue with idle CPU as underused workers', () => {
    const queue = {
      tSeconds: series(11, (i) => i),
      pending: series(11, (i) => 2 * i),
      processing: series(11, () => 1),
      completed: series(11, (i) => i),
      errors: series(11, () => 0),
    };
    const processes = {
      selector: 'command ~ /gunicorn/',
      tSeconds: series(11, (i) => i),
      processCount: series(11, () => 3),
      cpuPercent: series(11, () => 40),
      rssBytes: series(11, () => 300 * MiB),
      readBytesPerSecond: series(11, () => 0),
      writeBytesPerSecond: series(11, () => 0),
    };
    const run = oneTrialRun({ observations: { queue, processes } });
    const diagnosis = diagnose(
      run,
      completedJobs(20, () => ({})),
    );
    const growing = diagnosis.findings.find((f) => f.code === 'queue-growing');
    expect(growing?.severity).toBe('critical');
    expect(growing?.evidence[0]).toBe('added 3.00 jobs/s, consumed 1.00 jobs/s over 10 s');
    expect(diagnosis.findings.map((f) => f.code)).toContain('workers-underused');

    const busy = { ...processes, cpuPercent: series(11, () => 190) };
    const contended = completedJobs(20, (i) => ({ processingMs: i === 0 ? 1000 : 3500 }));
    const saturated = codes(oneTrialRun({ observations: { queue, processes: busy } }), contended);
    expect(saturated).toContain('workers-saturated');
    expect(saturated).toContain('oversubscription');
    expect(saturated).not.toContain('workers-underused');
  });

  it('flags steady memory growth, growing temp folders and heavy writes', () => {
    const processes = {
      selector: 'pid 1 and children',
      tSeconds: series(11, (i) => i),
      processCount: series(11, () => 1),
      cpuPercent: series(11, () => 100),
      rssBytes: series(11, (i) => 200 * MiB + i * 10 * MiB),
      readBytesPerSecond: series(11, () => 0),
      writeBytesPerSecond: series(11, () => 30 * MiB),
    };
    const folder = (path: string) => ({
      path,
      tSeconds: series(5, (i) => i * 10),
      files: series(5, (i) => i * 10),
      bytes: series(5, (i) => i * MiB),
    });
    const resultFiles = {
      folder: '/srv/results',
      files: 40,
      entries: 40,
      unmeasured: 0,
      processingSeconds: null,
    };
    const run = oneTrialRun({
      observations: {
        processes,
        folders: [folder('/srv/temp'), folder('/srv/results')],
        resultFiles,
      },
    });
    const diagnosis = diagnose(
      run,
      completedJobs(40, () => ({})),
    );
    const found = diagnosis.findings.map((f) => f.code);
    expect(found).toEqual(expect.arrayContaining(['memory-growing', 'heavy-writes']));
    const folders = diagnosis.findings.filter((f) => f.code === 'folder-growing');
    expect(folders.map((f) => f.title)).toEqual(['/srv/temp grew by 40 files during the trial']);
    expect(folders[0].evidence[1]).toBe('1.00 files per completed job');
    const memory = diagnosis.findings.find((f) => f.code === 'memory-growing');
    expect(memory?.title).toBe('Memory grows steadily: +100.0 MiB over 10 s');
  });

  it('compares result-file processing_time with measured processing', () => {
    const resultFiles = {
      folder: '/srv/results',
      files: 20,
      entries: 20,
      unmeasured: 2,
      processingSeconds: { p50: 0.3, p90: 0.4, p99: 0.5, max: 0.6, mean: 0.32 },
    };
    const run = oneTrialRun({ observations: { resultFiles } });
    const gap = diagnose(
      run,
      completedJobs(20, () => ({})),
    ).findings.find((f) => f.code === 'result-files-gap');
    expect(gap?.title).toBe('OCR itself is only 30% of the processing stage');
    expect(gap?.evidence.join('\n')).toMatch(/about 835 ms per job is outside OCR/);
  });
});

describe('false alarms', () => {
  const growingQueue: QueueSeries = {
    tSeconds: series(11, (i) => i),
    pending: series(11, (i) => 2 * i),
    processing: series(11, () => 1),
    completed: series(11, (i) => i),
    errors: series(11, () => 0),
  };
  const idleWorkers = {
    selector: 'pid 1 and children',
    tSeconds: series(11, (i) => i),
    processCount: series(11, () => 2),
    cpuPercent: series(11, () => 40),
    rssBytes: series(11, () => 300 * MiB),
    readBytesPerSecond: series(11, () => 0),
    writeBytesPerSecond: series(11, () => 0),
  };

  it('does not call the backlog of an interrupted run a growing queue', () => {
    const observations = { queue: growingQueue, processes: idleWorkers };
    const jobs = completedJobs(20, () => ({}));
    const finished = diagnose(oneTrialRun({ observations }), jobs).findings;
    expect(finished.find((f) => f.code === 'queue-growing')?.severity).toBe('critical');
    expect(finished.map((f) => f.code)).toContain('workers-underused');

    // Ctrl-C with 12 jobs in flight: the same series, cut before the queue could drain.
    const interrupted = oneTrialRun({
      observations,
      trial: { jobs: { ...oneTrialRun().trials[0].jobs, submitted: 52, inFlight: 12 } },
      run: { complete: false, stopReason: 'interrupted' },
    });
    const findings = diagnose(interrupted, jobs).findings;
    const queue = findings.find((f) => f.code === 'queue-growing');
    expect(queue?.severity).toBe('info');
    expect(queue?.title).toBe(
      'The queue grew, but the run stopped before it could drain: growth is unproven',
    );
    expect(queue?.evidence[0]).toBe('added 3.00 jobs/s, consumed 1.00 jobs/s over 10 s');
    expect(queue?.evidence[2]).toMatch(/^the trial was interrupted/);
    // Nor is unproven growth evidence that workers idle while work waits.
    expect(findings.map((f) => f.code)).not.toContain('workers-underused');
    const markdown = renderDiagnosisMarkdown(diagnose(interrupted, jobs), interrupted);
    expect(markdown).toContain('### INFO: The queue grew, but the run stopped');
    expect(markdown).not.toContain('CRITICAL');
  });
});

describe('queue rates', () => {
  it('derives add and consume rates per interval, reading counter resets as 0', async () => {
    const { queueRateSeries } = await import('../src/analyze/series-math.ts');
    const queue = {
      tSeconds: [0, 1, 3, 4],
      pending: [0, 4, 6, 0],
      processing: [0, 1, 1, 0],
      completed: [0, 1, 5, 0],
      errors: [0, 0, 1, 0],
    };
    expect(queueRateSeries(queue)).toEqual({
      tSeconds: [1, 3, 4],
      // totals 0, 6, 13, 0: +6 in 1 s, +7 in 2 s, then a restart.
      addedPerSecond: [6, 3.5, 0],
      // done 0, 1, 6, 0: +1 in 1 s, +5 in 2 s, then a restart.
      consumedPerSecond: [1, 2.5, 0],
    });
    const run = oneTrialRun({ observations: { queue } });
    const markdown = renderDiagnosisMarkdown(diagnose(run, []), run);
    // The mean leaves the reset interval out: 13 added and 6 done in 3 s.
    expect(markdown).toContain('| 0 | 4.33 / 2.00 | 0 -> 0 | - | - | - | - | - |');
  });
});

describe('observation feeding the diagnosis', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it('diagnoses a real growing queue with idle workers as underused', async () => {
    const { createServer } = await import('node:http');
    const { spawn } = await import('node:child_process');
    const { setTimeout: sleep } = await import('node:timers/promises');
    const { startObservation } = await import('../src/observe/index.ts');

    // A service that takes 3 jobs and finishes 1 per status read.
    let reads = 0;
    const server = createServer((_, res) => {
      reads++;
      res.end(JSON.stringify({ pending: 2 * reads, processing: 1, completed: reads, errors: 0 }));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    cleanups.push(() => new Promise<void>((done) => server.close(() => done())));
    const { port } = server.address() as { port: number };
    // Idle workers: the queue grows while they use no CPU (a lock, or too few workers).
    const workers = [1, 2].map(() =>
      spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' }),
    );
    for (const worker of workers) cleanups.push(() => void worker.kill('SIGKILL'));

    const observation = startObservation({
      intervalMs: 150,
      startedAtMs: performance.now(),
      queueStatus: async () => (await fetch(`http://127.0.0.1:${port}/`)).json(),
      metricsUrl: null,
      processes: { pids: workers.map((worker) => worker.pid as number), commandPattern: null },
      host: false,
      folders: [],
      resultsFolder: null,
    });
    await sleep(1200);
    const observations = await observation.stop();

    const run = oneTrialRun({ observations, cpus: 2 });
    const found = codes(
      run,
      completedJobs(20, () => ({})),
    );
    expect(found).toContain('queue-growing');
    expect(found).toContain('workers-underused');
    expect(observations.processes?.processCount.at(-1)).toBe(2);
  });
});
