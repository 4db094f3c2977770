import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { tinyDataset, writeScenario } from './helpers/tiny-dataset.ts';
import { noStack, runCli, scenario, tempDir, withServer } from './helpers/cli.ts';
import type { DatasetManifest } from '../src/dataset/manifest.ts';
import type { JobRecord, RunFile } from '../src/record/run-file.ts';
import { assertLoadedMatch } from '../src/dataset/verify.ts';
import { lastErrorLines, lastErrors } from '../src/analyze/last-errors.ts';

// What a run takes in (dataset files, watched folders) and what it says when jobs fail:
// real CLI runs against loopback servers, a few jobs each.

const manifestOf = (folder: string) =>
  JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8')) as DatasetManifest;

describe.concurrent('dataset files are checked against the manifest', () => {
  it('a file replaced by 8 bytes, or missing, stops the run: exit 2, nothing sent', async () => {
    await withServer({ processingMs: 5 }, async (server) => {
      const folder = await tinyDataset(3);
      const [first, , third] = manifestOf(folder).files;
      writeFileSync(join(folder, 'doc-0.png'), 'not png!');
      const file = writeScenario(
        folder,
        scenario(server.url, '{ model: closed, concurrency: 1, jobs: 2 }'),
      );
      const out = tempDir('out');
      const replaced = await runCli(['run', file, '--out', out, '--quiet']);
      expect(replaced.status).toBe(2);
      expect(replaced.stderr.trim().split('\n')).toEqual([
        `ocrbench: E_DATASET: ${join(folder, 'manifest.json')}: 1 file of the dataset does ` +
          'not match the manifest (size and sha256 checked as the run loads them):',
        `  doc-0.png: 8 bytes, sha256 1adfd7b03ec7...; the manifest says ${first.bytes} ` +
          `bytes, sha256 ${first.sha256.slice(0, 12)}...`,
        `Fix: restore the files, or re-import the dataset so the manifest describes them: ` +
          `\`ocrbench dataset import ${folder}\` (ground truth comes from the .txt sidecars).`,
      ]);
      noStack(replaced.stderr);

      rmSync(join(folder, 'doc-2.png'));
      const missing = await runCli(['run', file, '--out', out, '--quiet']);
      expect(missing.status).toBe(2);
      expect(missing.stderr).toContain(
        `  doc-2.png: missing (the manifest says ${third.bytes} bytes, sha256 ` +
          `${third.sha256.slice(0, 12)}...)\n`,
      );
      expect(server.stats.uploads).toHaveLength(0);
      expect(readdirSync(out)).toEqual([]);
    });
  });

  it('the same size with other bytes is caught by sha256', async () => {
    const folder = await tinyDataset(1);
    const manifest = manifestOf(folder);
    const entry = manifest.files[0];
    const bytes = readFileSync(join(folder, entry.file));
    bytes[bytes.length - 1] ^= 0xff;
    expect(() => assertLoadedMatch(folder, manifest, [{ entry, bytes }])).toThrow(
      new RegExp(
        `doc-0\\.png: ${entry.bytes} bytes, sha256 [0-9a-f]{12}\\.\\.\\.; the manifest says ` +
          `${entry.bytes} bytes, sha256 ${entry.sha256.slice(0, 12)}`,
      ),
    );
    const generated = { ...manifest, generator: { kind: 'receipts', count: 1, sizes: ['50KB'] } };
    expect(() => assertLoadedMatch(folder, generated, [{ entry, bytes }])).toThrow(
      `Fix: regenerate the dataset (the same options give the same bytes): \`ocrbench dataset ` +
        `generate --out ${folder} --kind receipts --count 1 --sizes 50KB\``,
    );
    const intact = readFileSync(join(folder, entry.file));
    expect(() => assertLoadedMatch(folder, manifest, [{ entry, bytes: intact }])).not.toThrow();
  });

  it('scenario check reports missing files and size mismatches (sizes only)', async () => {
    const folder = await tinyDataset(3);
    const [first, second] = manifestOf(folder).files;
    writeFileSync(join(folder, 'doc-0.png'), 'not png!');
    rmSync(join(folder, 'doc-1.png'));
    const file = writeScenario(
      folder,
      scenario('http://127.0.0.1:9', '{ model: closed, concurrency: 1, jobs: 1 }'),
    );
    const result = await runCli(['scenario', 'check', file]);
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([
      `${file}:3: dataset.path: 2 files of ${folder} do not match manifest.json (sizes ` +
        'compared here; the run also compares sha256):',
      `  doc-0.png: 8 bytes; the manifest says ${first.bytes} bytes, sha256 ` +
        `${first.sha256.slice(0, 12)}...`,
      `  doc-1.png: missing (the manifest says ${second.bytes} bytes, sha256 ` +
        `${second.sha256.slice(0, 12)}...)`,
      `Fix: restore the files, or re-import the dataset so the manifest describes them: ` +
        `\`ocrbench dataset import ${folder}\` (ground truth comes from the .txt sidecars).`,
    ]);
    // A mix that never picks the broken files is fine.
    const other = writeScenario(
      folder,
      `${scenario('http://127.0.0.1:9', '{ model: closed, concurrency: 1, jobs: 1 }')}` +
        'mix: [{ file: doc-2.png, weight: 1 }]\n',
      'other.yaml',
    );
    const fine = await runCli(['scenario', 'check', other]);
    expect(fine.stdout).toBe(`${other}: ok (robust, closed load)\n`);
    expect(fine.status).toBe(0);
  });
});

/**
 * An ocrlotes-shaped service whose every poll (and queue or metrics read) answers HTTP 500
 * with a plain-text body: jobs are accepted, then never seen finished.
 */
async function failingPollServer(): Promise<{ url: string; close: () => Promise<void> }> {
  let next = 0;
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    request.resume();
    request.on('end', () => {
      if (request.method === 'POST' && request.url === '/api/ocr/process_image') {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ request_ids: [`job-${next++}`] }));
        return;
      }
      response.writeHead(request.url === '/' ? 200 : 500, { 'content-type': 'text/plain' });
      response.end(request.url === '/' ? 'ok' : 'boom');
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

describe.concurrent('why jobs did not complete', () => {
  it('every poll answering HTTP 500: summary and stdout name it, accuracy says why', async () => {
    const service = await failingPollServer();
    try {
      const folder = await tinyDataset(1);
      const file = writeScenario(
        folder,
        scenario(service.url, '{ model: closed, concurrency: 4, jobs: 4 }').replace(
          'maxWaitSeconds: 60',
          'maxWaitSeconds: 0.3',
        ),
      );
      const out = tempDir('out');
      const result = await runCli(['run', file, '--out', out, '--run-id', 'r', '--quiet']);
      expect(result.status).toBe(3);
      expect(result.stdout).toContain('\nlast errors: 4 timed out; last poll: HTTP 500 (4)\n');
      const summary = readFileSync(join(out, 'r', 'summary.md'), 'utf8');
      expect(summary).toContain('\n- 4 timed out; last poll: HTTP 500 (4)\n');
      expect(summary).toContain('\nNot checked: no job completed.\n');
      expect(summary).not.toContain('no ground truth');
      const run = JSON.parse(readFileSync(join(out, 'r', 'run.json'), 'utf8')) as RunFile;
      expect(run.summary.jobs.timedOut).toBe(4);
    } finally {
      await service.close();
    }
  });

  it('groups failed and timed-out jobs by last error, commonest first', () => {
    const job = (fate: JobRecord['fate'], error?: string, warmup = false): JobRecord => ({
      trial: 0,
      jobId: null,
      file: 'a.png',
      sizeClass: 'x',
      bytes: 1,
      fate,
      error,
      warmup,
      scheduledAtMs: 0,
    });
    const errors = lastErrors([
      job('failed', 'HTTP 503'),
      job('failed', 'HTTP 503'),
      job('failed', 'connect ECONNREFUSED 127.0.0.1:9'),
      job('failed', 'a'),
      job('failed', 'b'),
      job('failed', 'HTTP 503', true), // warm-up: left out
      job('timedOut', 'no result within 5 s (last poll: HTTP 500)'),
      job('timedOut', 'no result within 5 s'),
      job('completed'),
    ]);
    expect(errors.failed).toEqual([
      { error: 'HTTP 503', count: 2 },
      { error: 'a', count: 1 },
      { error: 'b', count: 1 },
      { error: 'connect ECONNREFUSED 127.0.0.1:9', count: 1 },
    ]);
    expect(lastErrorLines(errors)).toEqual([
      '5 failed; HTTP 503 (2), a (1), b (1), 1 other',
      '2 timed out; last poll: HTTP 500 (1), no result within 5 s, still pending (1)',
    ]);
    expect(lastErrorLines(lastErrors([job('completed')]))).toEqual([]);
  });
});

describe.concurrent('watched folders', () => {
  it('a folder that never existed during the run gets a caveat; one that did, none', async () => {
    await withServer({ processingMs: 5 }, async (server) => {
      const folder = await tinyDataset(1);
      const file = writeScenario(
        folder,
        scenario(server.url, '{ model: closed, concurrency: 1, jobs: 2 }').replace(
          'observe: { intervalMs: 200 }',
          'observe: { intervalMs: 200, folders: [., never-there], resultsFolder: gone }',
        ),
      );
      const out = tempDir('out');
      const result = await runCli(['run', file, '--out', out, '--run-id', 'r', '--quiet']);
      expect(result.status).toBe(0);
      const run = JSON.parse(readFileSync(join(out, 'r', 'run.json'), 'utf8')) as RunFile;
      const missing = run.summary.caveats.filter((c) => c.code === 'observe-folder-missing');
      const tail =
        'did not exist during the trial: its counts are 0 because nothing was there to ' +
        'measure, not because the service wrote nothing. Fix the path in the scenario.';
      expect(missing.map((c) => c.message)).toEqual([
        `Watched folder ${join(folder, 'never-there')} (observe.folders) ${tail}`,
        `Watched folder ${join(folder, 'gone')} (observe.resultsFolder) ${tail}`,
      ]);
      // The relative folder "." was resolved against the scenario's folder and sampled.
      const sampled = run.trials[0].observations.folders.map((series) => series.path);
      expect(sampled).toContain(folder);
    });
  });
});
