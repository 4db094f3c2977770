import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { quantile } from 'simple-statistics';
import {
  analyseResultsFolder,
  readResultFiles,
  RESULT_FILE_PATTERN,
} from '../src/analyze/result-files.ts';

const folders: string[] = [];

afterEach(async () => {
  for (const folder of folders.splice(0)) await rm(folder, { recursive: true, force: true });
});

/** A results folder as the service writes it, with the shapes and the damage seen in use. */
async function resultsFolder(): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'ocrbench-results-'));
  folders.push(folder);
  const files: Record<string, unknown> = {
    'resultados_ocr_a1.json': { text: 'hola', processing_time: 1.5 },
    'resultados_ocr_a2.json': { text: 'x', processing_time: 0 },
    'resultados_ocr_a3.json': { text: 'y', extraction_stats: { processing_time: '2.5' } },
    'resultados_BATCH_b1.json': {
      batch_id: 'b1',
      results: [
        { file: 'p1.png', processing_time: 2 },
        { file: 'p2.png', extraction_stats: { processing_time: 3 } },
        { file: 'p3.png' },
      ],
    },
    'resultados_BATCH_b2.json': [{ processing_time: 4 }],
    'resultados_BATCH_b3.json': { batch_id: 'b3', status: 'no results field' },
    'other.json': { processing_time: 99 },
  };
  for (const [name, body] of Object.entries(files)) {
    await writeFile(join(folder, name), JSON.stringify(body));
  }
  await writeFile(join(folder, 'resultados_ocr_broken.json'), '{"processing_time": 1.');
  return folder;
}

describe('result files', () => {
  it('reads per-file processing_time from single and batch files', async () => {
    const summary = await readResultFiles(await resultsFolder());
    // 7 matching files (other.json is not one); 2 of them malformed.
    expect(summary.files).toBe(7);
    expect(summary.malformed).toBe(2);
    // a1, a2, a3, three in b1, one in b2.
    expect(summary.entries).toBe(7);
    // processing_time 0 (a2) and missing (p3) were never measured.
    expect(summary.unmeasured).toBe(2);
    const measured = [1.5, 2.5, 2, 3, 4];
    expect(summary.processingSeconds).toEqual({
      p50: quantile(measured, 0.5),
      p90: quantile(measured, 0.9),
      p99: quantile(measured, 0.99),
      max: 4,
      mean: 2.6,
    });
  });

  it('leaves out files older than the trial start', async () => {
    const folder = await resultsFolder();
    const old = new Date('2020-01-01T00:00:00Z');
    await utimes(join(folder, 'resultados_BATCH_b1.json'), old, old);
    const since = new Date('2021-01-01T00:00:00Z').getTime();
    const summary = await readResultFiles(folder, { sinceEpochMs: since });
    expect(summary.older).toBe(1);
    expect(summary.files).toBe(6);
    expect(summary.entries).toBe(4);
  });

  it('gives zeros for a missing folder, and a clear error when asked directly', async () => {
    const summary = await readResultFiles('/nonexistent/ocrbench-results');
    expect(summary).toMatchObject({ files: 0, entries: 0, processingSeconds: null });
    await expect(analyseResultsFolder('/nonexistent/ocrbench-results')).rejects.toMatchObject({
      code: 'E_USAGE',
    });
  });

  it('renders a folder summary for diagnose --results', async () => {
    const { markdown } = await analyseResultsFolder(await resultsFolder());
    expect(markdown).toContain('- Files read: 7 (malformed: 2)');
    expect(markdown).toContain('| seconds | 2.500 s | 3.600 s | 3.960 s | 4.000 s | 2.600 s |');
  });

  it('matches only the service names', () => {
    expect(RESULT_FILE_PATTERN.test('resultados_ocr_123.json')).toBe(true);
    expect(RESULT_FILE_PATTERN.test('resultados_BATCH_9f.json')).toBe(true);
    expect(RESULT_FILE_PATTERN.test('resultados_ocr_123.json.tmp')).toBe(false);
  });
});
