import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { diagnose, renderDiagnosisMarkdown } from '../src/analyze/diagnosis.ts';
import { diagnoseRunFolder } from '../src/analyze/diagnose-run.ts';
import type {
  JobCounts,
  JobRecord,
  Observations,
  RunFile,
  TrialResult,
} from '../src/record/run-file.ts';

const MiB = 1024 * 1024;

function counts(completed: number): JobCounts {
  return {
    submitted: completed,
    completed,
    failed: 0,
    timedOut: 0,
    lost: 0,
    inFlight: 0,
    failedByClass: {},
    throttled: 0,
  };
}

/** A realistic run.json with one trial; tests override the parts they exercise. */
function makeRun(
  options: {
    observations?: Partial<Observations>;
    trial?: Partial<TrialResult>;
    completed?: number;
    cpus?: number;
  } = {},
): RunFile {
  const completed = options.completed ?? 40;
  const trial: TrialResult = {
    index: 0,
    startedAt: '2025-01-01T00:00:00.000Z',
    endedAt: '2025-01-01T00:00:40.000Z',
    durationSeconds: 40,
    warmupJobs: 0,
    jobs: counts(completed),
    throughput: {
      submittedPerSecond: 1,
      completedPerSecond: 1,
      series: { tSeconds: [], submitted: [], completed: [], failed: [] },
    },
    stages: {},
    bySizeClass: {},
    accuracy: null,
    generator: {
      eventLoopDelayP99Ms: 5,
      eventLoopDelayMaxMs: 9,
      cpuPercent: 10,
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
      ...options.observations,
    },
    caveats: [],
    ...options.trial,
  };
  const { index: _index, observations: _o, generator: _g, ...summary } = trial;
  return {
    schemaVersion: 1,
    id: 'fixture-run',
    tool: { name: 'ocrbench', version: '0.1.0' },
    scenario: { name: 'fixture', file: 'fixture.yaml', sha256: '', tags: {} },
    target: { url: 'http://127.0.0.1:5000', profile: 'ocrlotes', builtin: null },
    host: { hostname: 'test', cpus: options.cpus ?? 2, cpuModel: 'x', memoryBytes: 0, node: '20' },
    startedAt: trial.startedAt,
    endedAt: trial.endedAt,
    complete: true,
    stopReason: 'finished',
    trials: [trial],
    summary,
    caveats: [],
    jobsLog: 'jobs.ndjson',
  };
}

/** Completed jobs, one a second; `shape` gives each job's stage times in ms. */
function makeJobs(count: number, shape: (index: number) => Partial<JobRecord>): JobRecord[] {
  return Array.from({ length: count }, (_, index) => {
    const job: JobRecord = {
      trial: 0,
      jobId: `j${index}`,
      file: 'receipt.png',
      sizeClass: 'small',
      bytes: 50_000,
      fate: 'completed',
      warmup: false,
      scheduledAtMs: index * 1000,
      uploadMs: 20,
      queueWaitMs: 100,
      processingMs: 1000,
      resultFetchMs: 5,
      timingSource: 'server',
      ...shape(index),
    };
    job.endToEndMs ??=
      (job.uploadMs ?? 0) +
      (job.queueWaitMs ?? 0) +
      (job.processingMs ?? 0) +
      (job.resultFetchMs ?? 0) +
      10;
    return job;
  });
}

const codes = (run: RunFile, jobs: JobRecord[]) => diagnose(run, jobs).findings.map((f) => f.code);
const series = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));

describe('where the largest delay is', () => {
  it('names queue wait when jobs mostly wait, with its share and percentiles', () => {
    const jobs = makeJobs(20, (i) => ({ queueWaitMs: 3000 + i, processingMs: 1000 }));
    const diagnosis = diagnose(makeRun(), jobs);
    expect(diagnosis.largestDelay?.stage).toBe('queueWait');
    // 3009.5 ms waited of 4044.5 ms end-to-end on average.
    expect(diagnosis.largestDelay?.shareOfEndToEnd).toBeCloseTo(3009.5 / 4044.5, 6);
    expect(diagnosis.largestDelay?.p50Ms).toBeCloseTo(3009.5, 6);
    expect(diagnosis.headline).toMatch(/^Largest delay: queue wait, 74% of end-to-end/);
    const finding = diagnosis.findings[0];
    expect(finding.code).toBe('largest-delay');
    expect(finding.severity).toBe('warning');
    expect(finding.evidence.join('\n')).toMatch(/processing: 25% of end-to-end/);
    expect(codes(makeRun(), jobs)).toContain('time-outside-ocr');
  });

  it('splits per size class and flags uploads that dominate the largest files', () => {
    const small = makeJobs(10, () => ({}));
    const large = makeJobs(10, () => ({
      sizeClass: 'scan-20mb',
      bytes: 20 * MiB,
      uploadMs: 2000,
      processingMs: 900,
    }));
    const diagnosis = diagnose(makeRun(), [...large, ...small]);
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
    const run = makeRun({
      trial: { stages: { processing: stats(3000), queueWait: stats(500), endToEnd: stats(4000) } },
    });
    expect(diagnose(run, []).largestDelay).toMatchObject({ stage: 'processing', p50Ms: 3000 });
    expect(diagnose(run, []).largestDelay?.shareOfEndToEnd).toBeCloseTo(0.75, 6);
    const empty = diagnose(makeRun({ completed: 0 }), []);
    expect(empty.largestDelay).toBeNull();
    expect(empty.headline).toMatch(/No completed jobs/);
  });
});

describe('trends and resources', () => {
  it('finds processing time trending upward, and not when it is flat', () => {
    const rising = makeJobs(40, (i) => ({ processingMs: 1000 + 25 * i }));
    const trend = diagnose(makeRun(), rising).findings.find(
      (f) => f.code === 'processing-trend-up',
    );
    // Fitted rise: 25 ms/s x ~39 s over a median of ~1500 ms = about 65%.
    expect(trend?.title).toMatch(/Processing time rose 6\d% over the run/);
    const flat = makeJobs(40, (i) => ({ processingMs: 1000 + (i % 5) * 10 }));
    expect(codes(makeRun(), flat)).not.toContain('processing-trend-up');
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
    const run = makeRun({ observations: { queue, processes } });
    const diagnosis = diagnose(
      run,
      makeJobs(20, () => ({})),
    );
    const growing = diagnosis.findings.find((f) => f.code === 'queue-growing');
    expect(growing?.severity).toBe('critical');
    expect(growing?.evidence[0]).toBe('added 3.00 jobs/s, consumed 1.00 jobs/s over 10 s');
    expect(diagnosis.findings.map((f) => f.code)).toContain('workers-underused');

    const busy = { ...processes, cpuPercent: series(11, () => 190) };
    const contended = makeJobs(20, (i) => ({ processingMs: i === 0 ? 1000 : 3500 }));
    const saturated = codes(makeRun({ observations: { queue, processes: busy } }), contended);
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
    const run = makeRun({
      observations: {
        processes,
        folders: [folder('/srv/temp'), folder('/srv/results')],
        resultFiles,
      },
    });
    const diagnosis = diagnose(
      run,
      makeJobs(40, () => ({})),
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
    const run = makeRun({ observations: { resultFiles } });
    const gap = diagnose(
      run,
      makeJobs(20, () => ({})),
    ).findings.find((f) => f.code === 'result-files-gap');
    expect(gap?.title).toBe('OCR itself is only 30% of the processing stage');
    expect(gap?.evidence.join('\n')).toMatch(/about 835 ms per job is outside OCR/);
  });

  it('warns when the generator itself was saturated', () => {
    const generator = {
      eventLoopDelayP99Ms: 120,
      eventLoopDelayMaxMs: 300,
      cpuPercent: 20,
      behindScheduleJobs: 0,
      cappedJobs: 0,
    };
    const finding = diagnose(
      makeRun({ trial: { generator } }),
      makeJobs(10, () => ({})),
    ).findings.find((f) => f.code === 'generator-saturated');
    expect(finding?.evidence).toEqual(['event-loop delay p99 120 ms (>= 50 ms)']);
  });
});

describe('diagnosis report and command', () => {
  const folders: string[] = [];
  afterEach(async () => {
    for (const folder of folders.splice(0)) await rm(folder, { recursive: true, force: true });
  });

  async function runFolder(run: unknown, jobs: JobRecord[]): Promise<string> {
    const folder = await mkdtemp(join(tmpdir(), 'ocrbench-diagnose-'));
    folders.push(folder);
    if (run !== undefined) await writeFile(join(folder, 'run.json'), JSON.stringify(run));
    const lines = jobs.map((job) => JSON.stringify(job)).join('\n');
    await writeFile(join(folder, 'jobs.ndjson'), `${lines}\n{"cut short`);
    return folder;
  }

  it('renders the headline, the stage table and each finding', () => {
    const run = makeRun();
    const jobs = makeJobs(20, () => ({ queueWaitMs: 3000 }));
    const markdown = renderDiagnosisMarkdown(diagnose(run, jobs), run);
    expect(markdown).toContain('**Largest delay: queue wait, 74% of end-to-end time');
    const row = '| all | 20 | 48.8 KiB | 4.04 s | 4.04 s | 0% | 74% | 25% | 0% | 0% |';
    expect(markdown).toContain(row);
    expect(markdown).toContain('### WARNING: The largest delay is queue wait');
    expect(markdown).toContain('`time-outside-ocr`');
  });

  it('writes diagnosis.md from a run folder and skips a cut-short job line', async () => {
    const folder = await runFolder(
      makeRun(),
      makeJobs(20, () => ({ queueWaitMs: 3000 })),
    );
    const { diagnosis, markdownPath, badJobLines } = await diagnoseRunFolder(folder);
    expect(badJobLines).toBe(1);
    expect(diagnosis.largestDelay?.stage).toBe('queueWait');
    expect(await readFile(markdownPath, 'utf8')).toContain(diagnosis.headline);
  });

  it('runs as a command, and fails clearly on a missing or corrupt run.json', async () => {
    const good = await runFolder(
      makeRun(),
      makeJobs(20, () => ({ queueWaitMs: 3000 })),
    );
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, ['bin/ocrbench.js', 'diagnose', ...args], { encoding: 'utf8' });
    const ok = cli(good);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^Largest delay: queue wait, 74% of end-to-end/);

    const missing = cli(await runFolder(undefined, []));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/E_RUN_FILE: .*run\.json: cannot be read \(ENOENT\)/);
    const corrupt = cli(await runFolder({ schemaVersion: 7 }, []));
    expect(corrupt.status).toBe(2);
    expect(corrupt.stderr).toMatch(/E_RUN_FILE: .*schemaVersion is 7/);
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
    const run = makeRun({ observations: { queue } });
    const markdown = renderDiagnosisMarkdown(diagnose(run, []), run);
    // The mean leaves the reset interval out: 13 added and 6 done in 3 s.
    expect(markdown).toContain('| 0 | 4.33 / 2.00 | 0 -> 0 | - | - | - | - | - |');
  });
});

describe('docs/observe.md', () => {
  it('lists every threshold with its value and every finding code', async () => {
    const { DIAGNOSIS_THRESHOLDS } = await import('../src/analyze/thresholds.ts');
    const docs = await readFile('docs/observe.md', 'utf8');
    const documented = Object.fromEntries(
      [...docs.matchAll(/^\| `(\w+)` \| ([\d.]+) \|/gm)].map((m) => [m[1], Number(m[2])]),
    );
    expect(documented).toEqual({ ...DIAGNOSIS_THRESHOLDS });

    const sources = ['diagnosis.ts', 'findings-jobs.ts', 'findings-resources.ts'];
    const codesInCode = new Set<string>();
    for (const file of sources) {
      const text = await readFile(join('src/analyze', file), 'utf8');
      for (const match of text.matchAll(/code: (?:gap \? )?'([a-z-]+)'(?: : '([a-z-]+)')?/g)) {
        codesInCode.add(match[1]);
        if (match[2]) codesInCode.add(match[2]);
      }
    }
    expect(codesInCode.size).toBe(16);
    for (const code of codesInCode) expect(docs).toContain(`| \`${code}\` |`);
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

    const run = makeRun({ observations, cpus: 2 });
    const found = codes(
      run,
      makeJobs(20, () => ({})),
    );
    expect(found).toContain('queue-growing');
    expect(found).toContain('workers-underused');
    expect(observations.processes?.processCount.at(-1)).toBe(2);
  });

  it('summarises a results folder from the command line', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'ocrbench-results-cli-'));
    cleanups.push(() => rm(folder, { recursive: true, force: true }));
    await writeFile(join(folder, 'resultados_ocr_1.json'), '{"processing_time": 1.25}');
    const result = spawnSync(
      process.execPath,
      ['bin/ocrbench.js', 'diagnose', '--results', folder, '--json'],
      { encoding: 'utf8' },
    );
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      files: 1,
      entries: 1,
      unmeasured: 0,
      processingSeconds: { p50: 1.25, max: 1.25 },
    });
  });
});
