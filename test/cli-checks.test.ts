import { describe, expect, it } from 'vitest';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tinyDataset, writeScenario } from './helpers/tiny-dataset.ts';
import { noStack, runCli, scenario, tempDir, withServer } from './helpers/cli.ts';
import { checkRunId, isRunId } from '../src/run/run-id.ts';

// Inputs a new user got past the checks: each must now be refused (exit 2) or reported, with
// the value and the fix, before any load is sent.

describe('run ids', () => {
  it('accepts one safe folder name and refuses anything else', () => {
    for (const id of ['a', 'run-1', 'v1.4_b', '..a', 'x'.repeat(128)]) {
      expect(isRunId(id)).toBe(true);
    }
    for (const id of ['', '.', '..', '../x', 'a/b', 'a\\b', '/abs', 'a b', 'x'.repeat(129)]) {
      expect(isRunId(id)).toBe(false);
    }
    expect(() => checkRunId('a b')).toThrow(/but it holds " "\. Fix: choose a name such as "a-b"/);
    expect(() => checkRunId('..')).toThrow(/"\.\." names a folder that already exists above/);
  });

  it('run --run-id ../../escape exits 2, sends nothing and writes nothing', async () => {
    await withServer({ processingMs: 5 }, async (server) => {
      const folder = await tinyDataset(1);
      const file = writeScenario(
        folder,
        scenario(server.url, '{ model: closed, concurrency: 1, jobs: 1 }'),
      );
      const root = tempDir('escape');
      const out = join(root, 'a', 'b');
      mkdirSync(out, { recursive: true });
      const result = await runCli(['run', file, '--out', out, '--run-id', '../../escape']);
      expect(result.status).toBe(2);
      expect(result.stderr.trim()).toBe(
        'ocrbench: E_USAGE: --run-id "../../escape": a run id is one folder name inside ' +
          "--out (letters, digits, '.', '_' and '-', at most 128, not '.' or '..'), but it " +
          'holds "/". Fix: choose a name such as "escape", and put the folder with --out.',
      );
      noStack(result.stderr);
      expect(readdirSync(root)).toEqual(['a']);
      expect(readdirSync(out)).toEqual([]);
      expect(server.stats.uploads).toHaveLength(0);
    });
  });
});
