import { describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tinyDataset, writeScenario } from './helpers/tiny-dataset.ts';
import { noStack, runCli, scenario, tempDir, withServer } from './helpers/cli.ts';
import { checkRunId, isRunId } from '../src/run/run-id.ts';
import { skipReason } from '../src/cli/skip-reason.ts';
import { plural } from '../src/util/plural.ts';

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

/** A scenario on a tiny dataset with `extra` lines appended, checked by the real CLI. */
async function check(load: string, extra = ''): Promise<{ file: string; out: CliOutcome }> {
  const folder = await tinyDataset(2);
  const file = writeScenario(folder, scenario('http://127.0.0.1:9', load, extra));
  return { file, out: await runCli(['scenario', 'check', file]) };
}
type CliOutcome = Awaited<ReturnType<typeof runCli>>;

const CLOSED = '{ model: closed, concurrency: 1, jobs: 1 }';

describe.concurrent('scenario check catches what a run would fail on or ignore', () => {
  it('an invalid commandPattern is a schema error quoting the regex error', async () => {
    const folder = await tinyDataset(1);
    const file = writeScenario(
      folder,
      scenario('http://127.0.0.1:9', CLOSED).replace(
        'observe: { intervalMs: 200 }',
        "observe: { intervalMs: 200, processes: { commandPattern: '(' } }",
      ),
    );
    const out = await runCli(['scenario', 'check', file]);
    expect(out.status).toBe(2);
    expect(out.stderr.trim()).toBe(
      `${file}:6: observe.processes.commandPattern: not a valid regular expression (Invalid ` +
        'regular expression: /(/: Unterminated group), got "(". Fix: escape ( ) [ ] { } * + ? ' +
        'with a backslash to match them as text.',
    );
  });

  it('missing observe folders are warnings (exit 0), relative ones resolved', async () => {
    const folder = await tinyDataset(1);
    const text = scenario('http://127.0.0.1:9', CLOSED).replace(
      'observe: { intervalMs: 200 }',
      'observe: { intervalMs: 200, folders: [/nonexistent/dir, .], resultsFolder: gone }',
    );
    const file = writeScenario(folder, text);
    const out = await runCli(['scenario', 'check', file]);
    expect(out.status).toBe(0);
    expect(out.stdout).toBe(`${file}: ok (robust, closed load, 2 warnings)\n`);
    const tail =
      'does not exist (yet). Not an error: the service may create it under load; a run ' +
      'during which it never exists gets the observe-folder-missing caveat. Check the path.';
    expect(out.stderr.split('\n')).toEqual([
      `${file}:6: observe.folders[0]: warning: /nonexistent/dir ${tail}`,
      `${file}:6: observe.resultsFolder: warning: ${join(folder, 'gone')} ${tail}`,
      '',
    ]);
  });

  it('a language the built-in target lacks is an error listing the ones it has', async () => {
    const folder = await tinyDataset(1);
    const file = writeScenario(
      folder,
      scenario('builtin', CLOSED).replace(
        'profile: ocrlotes }',
        'profile: ocrlotes, builtin: { languages: spa+klingon } }',
      ),
    );
    const out = await runCli(['scenario', 'check', file]);
    expect(out.status).toBe(2);
    expect(out.stderr.trim()).toBe(
      `${file}:2: target.builtin.languages: the built-in target (engine tesseract.js) has no ` +
        '"klingon" in "spa+klingon"; it has eng, spa (the @tesseract.js-data packages in ' +
        'node_modules). Fix: use eng, spa or several joined by + (e.g. eng+spa), or ' +
        '`npm install @tesseract.js-data/<code>` for another.',
    );
  });

  it('an open load whose every stage has rate 0 and no rate is an error', async () => {
    const stages =
      '{ model: open, stages: [{ durationSeconds: 1, rate: 0 }, ' +
      '{ durationSeconds: 2, rate: 0 }] }';
    const { file, out } = await check(stages);
    expect(out.status).toBe(2);
    expect(out.stderr.trim()).toBe(
      `${file}:4: load.stages: every stage has rate 0 and \`rate\` is not set, so no job ` +
        'would ever be submitted (the first stage ramps from 0 jobs/s). Fix: give a stage a ' +
        'rate above 0 (jobs/s), or set `rate` for the first stage to start from.',
    );
    // A rate to start from, or one stage above 0, submits jobs: no error.
    const ramped = await check(stages.replace('model: open,', 'model: open, rate: 1,'));
    expect(ramped.out.status).toBe(0);
    const rising = await check(stages.replace('rate: 0 }]', 'rate: 2 }]'));
    expect(rising.out.status).toBe(0);
  });
});

describe.concurrent('messages say what is wrong', () => {
  it('NaN is "got NaN", an empty mix "needs at least one entry"', async () => {
    const { file, out } = await check('{ model: open, rate: .nan, jobs: 1 }', 'mix: []\n');
    expect(out.status).toBe(2);
    expect(out.stderr.split('\n')).toEqual([
      `${file}:4: load.rate: expected a number, got NaN. Fix: write a number here.`,
      `${file}:7: mix: needs at least one entry, got []. Fix: add an entry such as ` +
        '`{ sizeClass: 50KB, weight: 1 }`, or remove `mix` to upload every dataset file ' +
        'equally.',
      '',
    ]);
  });

  it('a wrong mix[].file ends its suggestion with one mark', async () => {
    const { file, out } = await check(CLOSED, 'mix: [{ file: doc-1.pgn, weight: 1 }]\n');
    expect(out.status).toBe(2);
    expect(out.stderr.trim()).toBe(
      `${file}:7: mix[0].file: "doc-1.pgn" is not in the dataset: ` +
        `${join(file, '..', 'manifest.json')} lists no such file; did you mean "doc-1.png"? ` +
        'Fix: correct the path.',
    );
  });

  it('--sizes -5KB is named as the value of --sizes', async () => {
    const out = await runCli(['dataset', 'generate', '--out', tempDir('ds'), '--sizes', '-5KB']);
    expect(out.status).toBe(2);
    expect(out.stderr.trim()).toBe(
      'ocrbench: E_USAGE: --sizes: "-5KB" is not a size class. Use a number with KB, MB ' +
        '(1000-based), KiB, MiB (1024-based) or B, e.g. 50KB,500KB,5MB,20MB, or "natural".',
    );
  });

  it('baseline save on a folder without run.json says so', async () => {
    const empty = tempDir('empty');
    const out = await runCli(['baseline', 'save', empty, '--name', 'x']);
    expect(out.status).toBe(2);
    expect(out.stderr.trim()).toBe(
      `ocrbench: E_RUN_FILE: ${empty}: no run.json there, so this is not a run folder (a run ` +
        'writes run.json when it ends, also when stopped early). Fix: name a run folder, ' +
        'e.g. reports/<run-id> (`ls reports` lists them), or its run.json.',
    );
    const none = await runCli(['baseline', 'save', join(empty, 'nope'), '--name', 'x']);
    expect(none.status).toBe(2);
    expect(none.stderr).toContain(`${join(empty, 'nope')}: no such run folder or file. Fix:`);
  });
});

describe.concurrent('import and counts', () => {
  it('a corrupt PNG header is skipped with a whole reason; 1 document', async () => {
    const source = await tinyDataset(1);
    const folder = tempDir('import');
    copyFileSync(join(source, 'doc-0.png'), join(folder, 'good.png'));
    // The PNG signature, then bytes that are no IHDR chunk: sharp names no detail.
    const broken = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      Buffer.alloc(64, 7),
    ]);
    writeFileSync(join(folder, 'bad.png'), broken);
    const out = await runCli(['dataset', 'import', folder]);
    expect(out.status).toBe(0);
    expect(out.stderr).toContain(
      'ocrbench: skipped bad.png: png that cannot be read: Input buffer has corrupt header ' +
        '(the decoder gave no detail: the file is damaged, cut short, or not really that ' +
        'format)\n',
    );
    expect(out.stdout).toBe(
      `wrote ${folder}/manifest.json: 1 document, 0 with ground truth, 1 without (no ` +
        'accuracy check for those), 1 skipped\n',
    );
  });

  it('decoder reasons become one line without repeats', () => {
    expect(
      skipReason(
        'Input buffer has corrupt header: VipsJpeg: premature end of JPEG image\n' +
          'VipsJpeg: JPEG datastream contains no image\nVipsJpeg: premature end of JPEG image\n',
      ),
    ).toBe(
      'Input buffer has corrupt header: VipsJpeg: premature end of JPEG image; VipsJpeg: ' +
        'JPEG datastream contains no image',
    );
    expect(skipReason('not a PNG, JPEG, TIFF or PDF (by its first bytes)')).toBe(
      'not a PNG, JPEG, TIFF or PDF (by its first bytes)',
    );
    expect([plural(1, 'job'), plural(0, 'job'), plural(2, 'file')]).toEqual([
      '1 job',
      '0 jobs',
      '2 files',
    ]);
  });
});
