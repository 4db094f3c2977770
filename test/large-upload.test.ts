import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunFile } from '../src/record/run-file.ts';

// Issue 6: a 20 MB upload (a receipt padded to exactly 20,000,000 bytes, pixels unchanged)
// goes end to end through a run on the built-in target, and is still read correctly.
describe('a 20 MB upload', () => {
  it('is uploaded, recognised and checked against its ground truth', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'ocrbench-20mb-'));
    const scenario = join(folder, 'large.yaml');
    writeFileSync(
      scenario,
      `name: large
target: { url: builtin, builtin: { workers: 1 } }
dataset:
  path: data
  generate: { kind: receipts, count: 1, seed: 3, formats: [png], sizes: [20MB] }
load: { model: closed, concurrency: 1, jobs: 2 }
poll: { intervalMs: 100, maxIntervalMs: 250 }
`,
    );
    const child = spawn(process.execPath, [
      'bin/ocrbench.js',
      'run',
      scenario,
      '--out',
      folder,
      '--run-id',
      'r',
      '--quiet',
    ]);
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const status = await new Promise((done) => child.on('close', done));
    expect(stderr.replace(/ocrbench: generating dataset.*\n/, '')).toBe('');
    expect(status).toBe(0);
    const manifest = JSON.parse(readFileSync(join(folder, 'data', 'manifest.json'), 'utf8'));
    expect(manifest.files[0].bytes).toBe(20_000_000);
    const run = JSON.parse(readFileSync(join(folder, 'r', 'run.json'), 'utf8')) as RunFile;
    expect(run.summary.jobs.completed).toBe(2);
    expect(run.summary.bySizeClass['20MB'].jobs.completed).toBe(2);
    expect(run.summary.accuracy!.cer).toBeLessThan(0.02);
  });
});
