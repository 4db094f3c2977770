import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTarget } from '../src/target/index.ts';
import { get, ocrOne } from './target-kit.ts';
import { linesPng } from './helpers/target-images.ts';

type Target = Awaited<ReturnType<typeof startTarget>>;
let target: Target | null = null;

afterEach(async () => {
  await target?.close();
  target = null;
});

/** Sets a file's modification time `seconds` from now (negative: in the past). */
function age(path: string, seconds: number): void {
  const when = new Date(Date.now() + seconds * 1000);
  utimesSync(path, when, when);
}

describe('built-in target: retention clean-up', () => {
  it('removes files older than the retention and forgets their jobs', async () => {
    // 1 s retention: the sweep runs every second (at least 1000 ms apart).
    target = await startTarget({ port: 0, workers: 1, languages: 'eng', retentionSeconds: 1 });
    const result = await ocrOne(target.url, {
      filename: 'old.png',
      bytes: await linesPng(['Retention']),
    });
    expect(result.status).toBe('completed');
    const resultFile = join(target.resultsDir, `resultados_ocr_${result.request_id}.json`);
    expect(existsSync(resultFile)).toBe(true);

    const temp = join(target.dataDir, 'temp');
    const old = [
      join(target.uploadsDir, 'stale.png'),
      join(temp, 'stale.partial'),
      join(target.resultsDir, 'resultados_ocr_stale.json'),
    ];
    for (const path of old) {
      writeFileSync(path, 'old');
      age(path, -3600);
    }
    age(resultFile, -3600);
    // Dated an hour ahead: younger than the retention at every sweep of this test.
    const fresh = join(temp, 'fresh.partial');
    writeFileSync(fresh, 'new');
    age(fresh, 3600);

    // Polls bounded by count (100 x 100 ms) while the sweep timer does its work.
    let answer = await get(target.url, `/api/ocr/result/${result.request_id}`);
    for (let poll = 0; poll < 100; poll++) {
      const swept = [...old, resultFile].every((path) => !existsSync(path));
      if (swept && answer.status === 404) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
      answer = await get(target.url, `/api/ocr/result/${result.request_id}`);
    }
    for (const path of [...old, resultFile]) expect(existsSync(path)).toBe(false);
    expect(readdirSync(temp)).toEqual(['fresh.partial']);
    expect(readdirSync(target.uploadsDir)).toEqual([]);
    // The job table follows the files: the old job is unknown now.
    expect(answer.status).toBe(404);
    expect(answer.json.status).toBe('unknown');
  });
});
