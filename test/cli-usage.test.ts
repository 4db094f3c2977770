import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tinyDataset, writeScenario } from './helpers/tiny-dataset.ts';
import { noStack, runCli, scenario, tempDir, withServer } from './helpers/cli.ts';

// What a fresh-clone user can get wrong on the command line, and what ocrbench must answer:
// an exit code and one clear line, never a stack trace, and no load wasted. Each test has
// its own servers and folders, so they run concurrently (every CLI start costs a second).

describe.concurrent('numeric flags', () => {
  it.each(['abc', '0', '-1', '1.5'])('run --trials %s exits 2 naming the flag', async (value) => {
    const result = await runCli(['run', 'scenarios/smoke.yaml', `--trials=${value}`]);
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toMatch(
      new RegExp(
        `^ocrbench: E_USAGE: --trials ${value.replace('.', '\\.')}: .*expected a whole number >= 1`,
      ),
    );
    noStack(result.stderr);
  });

  it('checks the numeric flags of ab, compare, target and dataset generate', async () => {
    const [ab, compare, target, dataset, noValue] = await Promise.all([
      runCli(['ab', '--baseline', 'a.yaml', '--candidate', 'b.yaml', '--trials', 'x']),
      runCli(['compare', 'a', 'b', '--alpha', '2']),
      runCli(['target', '--port', '70000']),
      runCli(['dataset', 'generate', '--count', '1.5', '--out', tempDir('ds')]),
      runCli(['run', 'scenarios/smoke.yaml', '--trials']),
    ]);
    expect(ab.status).toBe(2);
    expect(ab.stderr).toContain('--trials x: not a number; expected a whole number >= 1');
    expect(compare.status).toBe(2);
    expect(compare.stderr).toContain('--alpha 2: out of range; expected a number > 0 and < 0.5');
    expect(target.status).toBe(2);
    expect(target.stderr).toContain('--port 70000: out of range; expected a whole number from 0');
    expect(dataset.status).toBe(2);
    expect(dataset.stderr).toContain('--count 1.5: not a whole number');
    expect(noValue.status).toBe(2);
    expect(noValue.stderr).toContain('--trials needs a value');
    for (const result of [ab, compare, target, dataset, noValue]) noStack(result.stderr);
  });
});

describe.concurrent('--fault and external targets', () => {
  it('refuses --fault with --target-url, before any request', async () => {
    await withServer({}, async (server) => {
      const folder = await tinyDataset(1);
      const file = writeScenario(
        folder,
        scenario('builtin', '{ model: closed, concurrency: 1, jobs: 1 }'),
      );
      const result = await runCli([
        'run',
        file,
        '--out',
        tempDir('out'),
        '--target-url',
        server.url,
        '--fault',
        'sync-io',
      ]);
      expect(result.status).toBe(2);
      expect(result.stderr).toContain(
        `--fault sync-io: faults apply only to the built-in target, but this run's target is ` +
          `${server.url} (from --target-url)`,
      );
      expect(server.stats.requests).toEqual({});
    });
  });

  it("refuses --fault with the scenario's external target.url", async () => {
    const folder = await tinyDataset(1);
    const file = writeScenario(
      folder,
      scenario('http://127.0.0.1:9', '{ model: closed, concurrency: 1, jobs: 1 }'),
    );
    const result = await runCli(['run', file, '--fault', 'reload-model']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(
      "--fault reload-model: faults apply only to the built-in target, but this run's " +
        'target is http://127.0.0.1:9 (from the scenario). Fix: drop --fault',
    );
  });

  it('scenario check refuses builtin faults with an external url, with the line', async () => {
    const folder = await tinyDataset(1);
    const file = writeScenario(
      folder,
      scenario('http://127.0.0.1:9', '{ model: closed, concurrency: 1, jobs: 1 }').replace(
        'profile: ocrlotes }',
        'profile: ocrlotes, builtin: { faults: [sync-io] } }',
      ),
    );
    const result = await runCli(['scenario', 'check', file]);
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toBe(
      `${file}:2: target.builtin.faults: faults apply only to the built-in target, but ` +
        'target.url is http://127.0.0.1:9; they would be ignored. Fix: remove ' +
        '`target.builtin.faults`, or set `target.url: builtin`.',
    );
  });
});

describe.concurrent('run folders', () => {
  it('--run-id of an existing run: exit 2, nothing sent; --force replaces it', async () => {
    await withServer({ processingMs: 5 }, async (server) => {
      const folder = await tinyDataset(1);
      const file = writeScenario(
        folder,
        scenario(server.url, '{ model: closed, concurrency: 1, jobs: 2 }'),
      );
      const out = tempDir('out');
      const first = await runCli(['run', file, '--out', out, '--run-id', 'same', '--quiet']);
      expect(first.status).toBe(0);
      const requests = server.stats.uploads.length ?? 0;
      const before = readFileSync(join(out, 'same', 'run.json'), 'utf8');

      const again = await runCli(['run', file, '--out', out, '--run-id', 'same', '--quiet']);
      expect(again.status).toBe(2);
      expect(again.stderr.trim()).toBe(
        `ocrbench: E_USAGE: --run-id same: ${join(out, 'same')} already exists. Fix: choose ` +
          'another --run-id, or add --force to replace that run.',
      );
      expect(server.stats.uploads.length ?? 0).toBe(requests);
      expect(readFileSync(join(out, 'same', 'run.json'), 'utf8')).toBe(before);

      const forced = await runCli(['run', file, '--out', out, '--run-id', 'same', '--force']);
      expect(forced.status).toBe(0);
      const lines = readFileSync(join(out, 'same', 'jobs.ndjson'), 'utf8')
        .trim()
        .split('\n');
      expect(lines).toHaveLength(2); // replaced, not appended to the first run's log
    });
  });

  it('an --out under a regular file is "cannot write to" and exit 2, before any load', async () => {
    await withServer({}, async (server) => {
      const folder = await tinyDataset(1);
      const file = writeScenario(
        folder,
        scenario(server.url, '{ model: closed, concurrency: 1, jobs: 1 }'),
      );
      const blocker = join(tempDir('file'), 'a-file');
      writeFileSync(blocker, 'not a folder');
      const out = join(blocker, 'reports');
      const result = await runCli(['run', file, '--out', out]);
      expect(result.status).toBe(2);
      expect(result.stderr.trim()).toBe(
        `ocrbench: E_OUTPUT: cannot write to ${out}: ${blocker} is a file, not a folder ` +
          '(ENOTDIR). Fix: choose another --out.',
      );
      expect(server.stats.requests).toEqual({});
    });
  });

  it('compare --out, dataset generate --out and scenario schema --write say the same', async () => {
    const blocker = join(tempDir('file'), 'a-file');
    writeFileSync(blocker, 'not a folder');
    const under = join(blocker, 'x');
    const [compare, dataset, schema] = await Promise.all([
      runCli(['compare', 'a', 'b', '--out', under]),
      runCli(['dataset', 'generate', '--out', under]),
      runCli(['scenario', 'schema', '--write', join(under, 'schema.json')]),
    ]);
    for (const result of [compare, dataset, schema]) {
      expect(result.status).toBe(2);
      expect(result.stderr).toContain(`${blocker} is a file, not a folder (ENOTDIR)`);
      noStack(result.stderr);
    }
    expect(compare.stderr).toContain(`cannot write to ${under}:`);
    expect(dataset.stderr).toContain(`cannot write to ${under}:`);
    expect(schema.stderr).toContain(`cannot write to ${join(under, 'schema.json')}:`);
  });

  it.skipIf(process.getuid?.() === 0)(
    'an --out without write permission is EACCES, exit 2',
    async () => {
      const locked = tempDir('locked');
      const { chmodSync } = await import('node:fs');
      chmodSync(locked, 0o500);
      const result = await runCli(['dataset', 'generate', '--out', join(locked, 'ds')]);
      expect(result.status).toBe(2);
      expect(result.stderr).toContain(`cannot write to ${join(locked, 'ds')}: no permission`);
    },
  );
});

describe('dataset generate', () => {
  it("notes a size class above the built-in target's upload limit before rendering", async () => {
    // 2KB is too small for a PDF: generation fails at once, after the note (no 70 MB file).
    const out = join(tempDir('sizes'), 'd');
    const args = ['dataset', 'generate', '--out', out, '--count', '1', '--formats', 'pdf'];
    const result = await runCli([...args, '--sizes', '2KB,70MB']);
    expect(result.stderr).toContain(
      "ocrbench: note: size class 70MB (70000000 bytes) is above the built-in target's upload " +
        'limit (67108864 bytes)',
    );
    expect(result.stderr).not.toContain('size class 2KB (2000 bytes) is above');
    expect(result.status).toBe(2);
  });
});

describe.concurrent('scenario check and the dataset', () => {
  it('names the missing dataset folder and mix entries the manifest lacks', async () => {
    const folder = await tinyDataset(2);
    const missing = writeScenario(
      folder,
      scenario('builtin', '{ model: closed, concurrency: 1, jobs: 1 }').replace(
        'path: .',
        'path: nowhere',
      ),
      'missing.yaml',
    );
    const badMix = writeScenario(
      folder,
      `${scenario('builtin', '{ model: closed, concurrency: 1, jobs: 1 }')}mix:
  - { sizeClass: tiny, weight: 1 }
  - { sizeClass: huge, weight: 1 }
  - { format: pdf, weight: 1 }
  - { file: doc-9.png, weight: 1 }
`,
      'mix.yaml',
    );
    const fine = writeScenario(
      folder,
      `${scenario('builtin', '{ model: closed, concurrency: 1, jobs: 1 }')}` +
        'mix: [{ file: doc-1.png, weight: 1 }]\n',
      'fine.yaml',
    );
    const result = await runCli(['scenario', 'check', missing, badMix, fine]);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe(`${fine}: ok (robust, closed load)\n`);
    const manifest = join(folder, 'manifest.json');
    expect(result.stderr.trim().split('\n')).toEqual([
      `${missing}:3: dataset.path: ${join(folder, 'nowhere')} does not exist. Fix: ` +
        `\`ocrbench dataset generate --out ${join(folder, 'nowhere')}\`, or add ` +
        '`dataset.generate` so the first run makes it.',
      `${badMix}:9: mix[1].sizeClass: "huge" is not in the dataset: ${manifest} has size ` +
        'classes tiny. Fix: use one of those.',
      `${badMix}:10: mix[2].format: "pdf" is not in the dataset: ${manifest} has formats ` +
        'png. Fix: use one of those.',
      `${badMix}:11: mix[3].file: "doc-9.png" is not in the dataset: ${manifest} lists no ` +
        'such file; did you mean "doc-0.png"? Fix: correct the path.',
    ]);
  });

  it('checks a dataset still to be generated against dataset.generate', async () => {
    const folder = tempDir('gen');
    mkdirSync(join(folder, 'scenarios'));
    const file = writeScenario(
      join(folder, 'scenarios'),
      `name: g
dataset:
  path: ../data
  generate: { kind: receipts, count: 1, formats: [png], sizes: [50KB] }
mix:
  - { sizeClass: 5MB, weight: 1 }
load: { model: closed, concurrency: 1, jobs: 1 }
`,
    );
    const result = await runCli(['scenario', 'check', file]);
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toBe(
      `${file}:6: mix[0].sizeClass: "5MB" is not in the dataset: the dataset that ` +
        'dataset.generate makes has size classes 50KB. Fix: use one of those.',
    );
    expect(existsSync(join(folder, 'data'))).toBe(false);
  });
});

describe.concurrent('usage messages', () => {
  it('names an unknown option once, as typed', async () => {
    const result = await runCli(['run', 'scenarios/smoke.yaml', '--bogus-flag']);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(
      'ocrbench: unknown option --bogus-flag. See `ocrbench run --help`.\n',
    );
  });

  it('lists the subcommands of scenario and dataset', async () => {
    const [scenarioBogus, datasetNone, unknownCommand] = await Promise.all([
      runCli(['scenario', 'bogus']),
      runCli(['dataset']),
      runCli(['bogus']),
    ]);
    expect(scenarioBogus.status).toBe(2);
    expect(scenarioBogus.stderr).toBe(
      'ocrbench: E_USAGE: scenario: unknown subcommand "bogus". Use `ocrbench scenario check ' +
        '<files..>` or `ocrbench scenario schema`; `ocrbench scenario --help` says more.\n',
    );
    expect(datasetNone.status).toBe(2);
    expect(datasetNone.stderr).toContain(
      'dataset: name a subcommand. Use `ocrbench dataset generate`',
    );
    expect(unknownCommand.status).toBe(2);
    expect(unknownCommand.stderr).toContain('unknown command "bogus". Commands: run, demo,');
  });
});
