import { afterEach, describe, expect, it } from 'vitest';
import { diagnose, renderDiagnosisMarkdown } from '../src/analyze/diagnosis.ts';
import { trialCaveats } from '../src/run/caveats.ts';
import { scenarioSchema } from '../src/scenario/schema.ts';
import type { GeneratorHealth } from '../src/record/run-file.ts';
import { startFakeOcrServer, type FakeOcrServer } from './servers/fake-ocr-server.ts';
import { driveEngine } from './helpers/drive-engine.ts';
import { completedJobs, counts, oneTrialRun } from './helpers/diagnosis-fixtures.ts';

// Was ocrbench itself the problem? The run's caveats and diagnosis.md answer by one rule:
// saturated only when its own CPU was high; late with low CPU is a busy machine.

const GENERATOR_CODES = ['generator-saturated', 'generator-delayed'];

const health = (overrides: Partial<GeneratorHealth> = {}): GeneratorHealth => ({
  eventLoopDelayP99Ms: 5,
  eventLoopDelayMaxMs: 9,
  cpuPercent: 10,
  behindScheduleJobs: 0,
  cappedJobs: 0,
  ...overrides,
});

/** The generator codes of the caveats and of the findings, for one trial's health. */
function verdicts(generator: GeneratorHealth, submitted = 40) {
  const scenario = scenarioSchema.parse({
    name: 'g',
    dataset: { path: '.' },
    load: { model: 'open', rate: 10, durationSeconds: 4 },
  });
  const caveats = trialCaveats({
    scenario,
    counts: counts(submitted),
    generator,
    records: [],
    nonUniqueFormats: [],
  });
  const run = oneTrialRun({ trial: { generator, caveats }, completed: submitted });
  const diagnosis = diagnose(
    run,
    completedJobs(10, () => ({})),
  );
  return {
    caveats: caveats.filter((c) => GENERATOR_CODES.includes(c.code)),
    findings: diagnosis.findings.filter((f) => GENERATOR_CODES.includes(f.code)),
    markdown: renderDiagnosisMarkdown(diagnosis, run),
  };
}

describe('one rule for the generator', () => {
  it('calls a late event loop at low CPU a busy machine, in the caveat and the finding', () => {
    const { caveats, findings, markdown } = verdicts(health({ eventLoopDelayP99Ms: 120 }));
    expect(caveats.map((c) => c.code)).toEqual(['generator-delayed']);
    expect(findings.map((f) => f.code)).toEqual(['generator-delayed']);
    expect(findings[0].evidence).toEqual([
      'event-loop delay p99 120 ms (>= 50 ms)',
      'ocrbench CPU 10% of one core (< 90%): ocrbench was not saturated',
    ]);
    expect(caveats[0].message).toMatch(/the machine was busy with other work/);
    expect(markdown).not.toContain('was itself saturated');
  });

  it('calls high CPU saturated, in both', () => {
    const { caveats, findings } = verdicts(health({ cpuPercent: 95, eventLoopDelayP99Ms: 120 }));
    expect(caveats.map((c) => c.code)).toEqual(['generator-saturated']);
    expect(findings.map((f) => f.code)).toEqual(['generator-saturated']);
    expect(findings[0].evidence).toEqual([
      'event-loop delay p99 120 ms (>= 50 ms)',
      'ocrbench CPU 95% (>= 90%)',
    ]);
  });

  it('agrees for every combination of CPU, loop delay, late jobs and window', () => {
    for (const cpuPercent of [10, 89, 90, 180]) {
      for (const eventLoopDelayP99Ms of [5, 50, 120]) {
        for (const behindScheduleJobs of [0, 10]) {
          for (const observedSeconds of [0, 0.9, 1, 30, undefined]) {
            const generator = health({
              cpuPercent,
              eventLoopDelayP99Ms,
              behindScheduleJobs,
              observedSeconds,
            });
            const { caveats, findings } = verdicts(generator);
            const label = JSON.stringify(generator);
            expect(
              caveats.map((c) => c.code),
              label,
            ).toEqual(findings.map((f) => f.code));
            const judged = observedSeconds === undefined || observedSeconds >= 1;
            const expected =
              judged && cpuPercent >= 90
                ? ['generator-saturated']
                : (judged && eventLoopDelayP99Ms >= 50) || behindScheduleJobs > 0
                  ? ['generator-delayed']
                  : [];
            expect(
              findings.map((f) => f.code),
              label,
            ).toEqual(expected);
          }
        }
      }
    }
  });

  it('does not judge CPU or loop delay on start-up alone, but counts late jobs', () => {
    const busy = (observedSeconds?: number) =>
      health({ eventLoopDelayP99Ms: 120, cpuPercent: 180, observedSeconds });
    expect(verdicts(busy(0)).findings).toEqual([]);
    expect(verdicts(busy(0.9)).findings).toEqual([]);
    const late = verdicts({ ...busy(0), behindScheduleJobs: 10 }).findings;
    expect(late.map((f) => f.code)).toEqual(['generator-delayed']);
    expect(late[0].evidence).toEqual([
      '10 jobs started late (>= 1% of submitted)',
      'ocrbench CPU not judged: under a second of the run followed its start-up',
    ]);
  });

  it('keeps an older run that marked itself saturated saturated', () => {
    const generator = health({ cpuPercent: 87 });
    const run = oneTrialRun({
      trial: { generator, caveats: [{ code: 'generator-saturated', message: 'old rule' }] },
    });
    const found = diagnose(
      run,
      completedJobs(10, () => ({})),
    ).findings;
    expect(found.find((f) => f.code === 'generator-saturated')?.evidence).toEqual([
      'the run marked itself generator-saturated',
    ]);
  });
});

describe('a generator delayed by something else, on a real run', () => {
  let server: FakeOcrServer | null = null;
  let blocker: NodeJS.Timeout | null = null;
  afterEach(async () => {
    if (blocker) clearInterval(blocker);
    blocker = null;
    await server?.close();
    server = null;
  });

  it('is a busy machine in both the caveat and diagnosis.md', async () => {
    server = await startFakeOcrServer({ processingMs: 5 });
    // Block this thread 100 ms out of every 200 ms without using CPU (Atomics.wait sleeps):
    // the event loop runs late while ocrbench's own CPU stays low, as on a machine whose
    // cores are busy with the target.
    const cell = new Int32Array(new SharedArrayBuffer(4));
    blocker = setInterval(() => Atomics.wait(cell, 0, 0, 100), 200);
    // 2.5 s: the generator is judged on what follows its first second.
    const { generator, collector } = await driveEngine(server.url, {
      load: { model: 'open', rate: 10, durationSeconds: 2.5 },
      poll: { intervalMs: 20, maxIntervalMs: 20 },
    });
    clearInterval(blocker);
    blocker = null;
    expect(generator.eventLoopDelayP99Ms).toBeGreaterThanOrEqual(50);
    expect(generator.cpuPercent).toBeLessThan(90);
    const { caveats, findings } = verdicts(generator, collector.counts().submitted);
    expect(caveats.map((c) => c.code)).toEqual(['generator-delayed']);
    expect(findings.map((f) => f.code)).toEqual(['generator-delayed']);
  });
});
