import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnTarget, startTarget } from '../src/target/index.ts';
import { ocrOne, upload, wordPng } from './target-kit.ts';

const started: Array<{ close(): Promise<void> }> = [];
const folders: string[] = [];

afterEach(async () => {
  for (const target of started.splice(0)) await target.close();
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

/** A data folder given to the target, so its results outlive it (removed after the test). */
function givenDataDir(): string {
  const folder = mkdtempSync(join(tmpdir(), 'ocrbench-given-'));
  folders.push(folder);
  return folder;
}

describe('built-in target: graceful shutdown', () => {
  it('finishes queued jobs on SIGTERM, reports none unfinished, exits 0', async () => {
    const dataDir = givenDataDir();
    const target = await spawnTarget({ port: 0, workers: 1, languages: 'eng', dataDir });
    started.push(target);
    expect(target.dataDir).toBe(dataDir);
    expect(target.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(target.pid).not.toBe(process.pid);
    const bytes = await wordPng('Later');
    const files = [1, 2, 3].map((n) => ({ filename: `${n}.png`, bytes }));
    const answer = await upload(target.url, files);
    expect(answer.status).toBe(202);

    await target.close();
    expect(await target.exited).toBe(0);
    const results = readdirSync(target.resultsDir).sort();
    expect(results).toEqual(
      answer.json.request_ids.map((id: string) => `resultados_ocr_${id}.json`).sort(),
    );
    expect(target.stderr()).toContain('unfinished jobs: 0 queued, 0 processing');
  });

  it('reports jobs left when the grace period is over', async () => {
    const target = await spawnTarget({
      port: 0,
      workers: 1,
      languages: 'eng',
      shutdownGraceMs: 0,
      dataDir: givenDataDir(),
    });
    started.push(target);
    const bytes = await wordPng('Never', 800, 400);
    const files = Array.from({ length: 6 }, (_, n) => ({ filename: `${n}.png`, bytes }));
    expect((await upload(target.url, files)).status).toBe(202);

    await target.close();
    expect(await target.exited).toBe(0);
    const match = /unfinished jobs: (\d+) queued, (\d+) processing/.exec(target.stderr());
    expect(match).not.toBeNull();
    const unfinished = Number(match![1]) + Number(match![2]);
    expect(unfinished).toBeGreaterThanOrEqual(1);
    // Every job either has its result file or was reported unfinished.
    expect(readdirSync(target.resultsDir).length + Number(match![1])).toBeGreaterThanOrEqual(5);
  });

  it('answers 503 to uploads while draining', async () => {
    const target = await startTarget({
      port: 0,
      workers: 1,
      languages: 'eng',
      dataDir: givenDataDir(),
    });
    started.push(target);
    const bytes = await wordPng('Drain');
    const files = [1, 2, 3].map((n) => ({ filename: `${n}.png`, bytes }));
    expect((await upload(target.url, files)).status).toBe(202);
    const closing = target.close();
    const refused = await upload(target.url, files.slice(0, 1));
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBeDefined();
    await closing;
    expect(await target.shutdown).toEqual({ queued: 0, processing: 0 });
    expect(readdirSync(target.resultsDir)).toHaveLength(3);
  });

  it('removes the data folder it created itself on close, in process and as a child', async () => {
    const bytes = await wordPng('Gone');
    const own = await startTarget({ port: 0, workers: 1, languages: 'eng' });
    started.push(own);
    expect(own.dataDir.startsWith(join(tmpdir(), 'ocrbench-target-'))).toBe(true);
    await ocrOne(own.url, { filename: 'a.png', bytes });
    expect(readdirSync(own.resultsDir)).toHaveLength(1);
    await own.close();
    expect(existsSync(own.dataDir)).toBe(false);

    const child = await spawnTarget({ port: 0, workers: 1, languages: 'eng' });
    started.push(child);
    expect(existsSync(child.uploadsDir)).toBe(true);
    await child.close();
    expect(await child.exited).toBe(0);
    expect(existsSync(child.dataDir)).toBe(false);
  });

  it('keeps a data folder it was given, with its results', async () => {
    const dataDir = givenDataDir();
    const given = await startTarget({ port: 0, workers: 1, languages: 'eng', dataDir });
    started.push(given);
    const result = await ocrOne(given.url, { filename: 'a.png', bytes: await wordPng('Kept') });
    await given.close();
    expect(readdirSync(join(dataDir, 'results'))).toEqual([
      `resultados_ocr_${result.request_id}.json`,
    ]);
  });
});
