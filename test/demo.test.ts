import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunFile } from '../src/record/run-file.ts';

// The README's first command, as a newcomer runs it: the built-in target with real OCR on
// the generated receipts, scenarios/smoke.yaml, the reports.
describe('npm run demo', () => {
  it('runs smoke.yaml on the built-in target and accounts for every job', async () => {
    const out = mkdtempSync(join(tmpdir(), 'ocrbench-demo-'));
    const child = spawn(process.execPath, ['bin/ocrbench.js', 'demo', '--out', out, '--quiet']);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const status = await new Promise((done) => child.on('close', done));
    expect(stderr.replace(/ocrbench: generating dataset.*\n/, '')).toBe('');
    expect(status).toBe(0);

    const [runId] = readdirSync(out);
    const run = JSON.parse(readFileSync(join(out, runId, 'run.json'), 'utf8')) as RunFile;
    const jobs = run.summary.jobs;
    expect(jobs.submitted).toBe(16);
    expect(jobs.completed + jobs.failed + jobs.timedOut + jobs.lost + jobs.inFlight).toBe(16);
    expect(jobs.completed).toBe(16);
    // End to end split into queue wait and processing, as the service timed them.
    const stages = run.summary.stages;
    expect(stages.queueWait?.count).toBe(16);
    expect(stages.processing?.count).toBe(16);
    expect(stages.processing!.p50Ms).toBeGreaterThan(50);
    expect(stages.endToEnd!.p50Ms).toBeGreaterThan(stages.processing!.p50Ms);
    expect(run.summary.accuracy!.cer).toBeLessThan(0.02);
    expect(run.trials[0].observations.processes?.cpuPercent.length).toBeGreaterThan(0);
    expect(stdout).toContain('submitted 16 = completed 16');
    expect(stdout).toContain(`report: ${join(out, runId)}/summary.md`);
    expect(stdout).toMatch(/diagnosis: .*Largest delay|diagnosis: /);
    expect(readFileSync(join(out, runId, 'diagnosis.md'), 'utf8')).toContain('Largest delay');
  });
});
