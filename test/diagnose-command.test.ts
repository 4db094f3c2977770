import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { diagnoseRunFolder } from '../src/analyze/diagnose-run.ts';
import type { JobRecord } from '../src/record/run-file.ts';
import { completedJobs, oneTrialRun } from './helpers/diagnosis-fixtures.ts';

// `ocrbench diagnose`: run folders in, diagnosis.md out; and docs/observe.md in step.

describe('diagnosis command', () => {
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

  it('writes diagnosis.md from a run folder and skips a cut-short job line', async () => {
    const folder = await runFolder(
      oneTrialRun(),
      completedJobs(20, () => ({ queueWaitMs: 3000 })),
    );
    const { diagnosis, markdownPath, badJobLines } = await diagnoseRunFolder(folder);
    expect(badJobLines).toBe(1);
    expect(diagnosis.largestDelay?.stage).toBe('queueWait');
    expect(await readFile(markdownPath, 'utf8')).toContain(diagnosis.headline);
  });

  it('runs as a command, and fails clearly on a missing or corrupt run.json', async () => {
    const good = await runFolder(
      oneTrialRun(),
      completedJobs(20, () => ({ queueWaitMs: 3000 })),
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

  it('summarises a results folder from the command line', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'ocrbench-results-cli-'));
    folders.push(folder);
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

describe('docs/observe.md', () => {
  it('lists every threshold with its value and every finding code', async () => {
    const { DIAGNOSIS_THRESHOLDS } = await import('../src/analyze/thresholds.ts');
    const docs = await readFile('docs/observe.md', 'utf8');
    const documented = Object.fromEntries(
      [...docs.matchAll(/^\| `(\w+)` \| ([\d.]+) \|/gm)].map((m) => [m[1], Number(m[2])]),
    );
    expect(documented).toEqual({ ...DIAGNOSIS_THRESHOLDS });

    const sources = [
      'diagnosis.ts',
      'findings-jobs.ts',
      'findings-resources.ts',
      'findings-generator.ts',
    ];
    const codesInCode = new Set<string>();
    for (const file of sources) {
      const text = await readFile(join('src/analyze', file), 'utf8');
      for (const match of text.matchAll(/code: (?:gap \? )?'([a-z-]+)'(?: : '([a-z-]+)')?/g)) {
        codesInCode.add(match[1]);
        if (match[2]) codesInCode.add(match[2]);
      }
    }
    expect(codesInCode.size).toBe(17);
    for (const code of codesInCode) expect(docs).toContain(`| \`${code}\` |`);
  });
});
