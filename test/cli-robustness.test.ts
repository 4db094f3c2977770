import { describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeOcrServer, type FakeOcrServer } from './servers/fake-ocr-server.ts';
import { tinyDataset, writeScenario } from './helpers/tiny-dataset.ts';
import type { RunFile } from '../src/record/run-file.ts';

// What a fresh-clone user can get wrong on the command line, and what ocrbench must answer:
// an exit code and one clear line, never a stack trace, and no load wasted. Each test has
// its own servers and folders, so they run concurrently (every CLI start costs a second).

interface CliResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function startCli(args: string[]): { child: ChildProcess; result: Promise<CliResult> } {
  const child = spawn(process.execPath, ['bin/ocrbench.js', ...args]);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const result = new Promise<CliResult>((done) =>
    child.on('close', (status, signal) => done({ status, signal, stdout, stderr })),
  );
  return { child, result };
}

/** Runs the CLI without blocking this process, which hosts the fake servers. */
const runCli = (args: string[]) => startCli(args).result;

function scenario(url: string, load: string, extra = ''): string {
  return `name: robust
target: { url: "${url}", profile: ocrlotes }
dataset: { path: . }
load: ${load}
poll: { intervalMs: 10, maxIntervalMs: 50, maxWaitSeconds: 60 }
observe: { intervalMs: 200 }
${extra}`;
}

const tempDir = (prefix: string) => mkdtempSync(join(tmpdir(), `ocrbench-${prefix}-`));
const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at /);

async function withServer<T>(
  options: Parameters<typeof startFakeOcrServer>[0],
  body: (server: FakeOcrServer) => Promise<T>,
): Promise<T> {
  const server = await startFakeOcrServer(options);
  try {
    return await body(server);
  } finally {
    await server.close();
  }
}

/** A TCP server that accepts connections and never answers: a hung service. */
async function silentServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const sockets = new Set<import('node:net').Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((done) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => done());
      }),
  };
}

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

  it('scenario check rejects target.builtin.faults with an external url, with the line', async () => {
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
  it('--run-id of an existing run is refused (exit 2, nothing sent); --force replaces it', async () => {
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

describe.concurrent('the pre-check', () => {
  it('a service that accepts but never answers is "did not answer", exit 4, no run folder', async () => {
    const silent = await silentServer();
    try {
      const folder = await tinyDataset(1);
      const file = writeScenario(
        folder,
        scenario(silent.url, '{ model: closed, concurrency: 1, jobs: 1 }').replace(
          'profile: ocrlotes }',
          'profile: ocrlotes, requestTimeoutMs: 500 }',
        ),
      );
      const out = tempDir('out');
      const result = await runCli(['run', file, '--out', out, '--run-id', 'hung']);
      expect(result.status).toBe(4);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toContain(
        `the target at ${silent.url} accepted the connection but did not answer GET / ` +
          'within 0.5 s (UND_ERR_HEADERS_TIMEOUT)',
      );
      expect(readdirSync(out)).toEqual([]);
    } finally {
      await silent.close();
    }
  });

  it('nothing listening is "connection refused", exit 4, no run folder', async () => {
    const folder = await tinyDataset(1);
    const file = writeScenario(
      folder,
      scenario('http://127.0.0.1:9', '{ model: closed, concurrency: 1, jobs: 1 }'),
    );
    const out = tempDir('out');
    const result = await runCli(['run', file, '--out', out]);
    expect(result.status).toBe(4);
    expect(result.stderr).toContain('connection refused (ECONNREFUSED), nothing listens on');
    expect(readdirSync(out)).toEqual([]);
  });
});

describe.concurrent('runs that measured failures only', () => {
  it('every job failing exits 3 and the summary leads with it', async () => {
    await withServer({ status503Every: { every: 1, on: 'submit' } }, async (server) => {
      const folder = await tinyDataset(1);
      const file = writeScenario(
        folder,
        scenario(
          server.url,
          '{ model: closed, concurrency: 2, jobs: 4 }',
          'uploads: { maxRetries: 0 }\n',
        ),
      );
      const out = tempDir('out');
      const result = await runCli(['run', file, '--out', out, '--run-id', 'r', '--quiet']);
      expect(result.status).toBe(3);
      expect(result.stdout.split('\n')[0]).toBe(
        'NO JOB COMPLETED: 0 of 4 jobs completed: 4 failed (http5xx)',
      );
      expect(result.stdout).toContain('accuracy: not checked (no job completed)');
      expect(result.stderr).toContain('ocrbench: no job completed (4 submitted)');
      const run = JSON.parse(readFileSync(join(out, 'r', 'run.json'), 'utf8')) as RunFile;
      expect(run.summary.jobs.failedByClass.http5xx).toBe(4);
      expect(readFileSync(join(out, 'r', 'summary.md'), 'utf8')).toContain(
        '**No job completed: 0 of 4 jobs completed: 4 failed (http5xx).**',
      );
    });
  });

  it('shows how often the service answered 429', async () => {
    const throttle = { every: 2, on: 'submit' as const, retryAfterSeconds: 0 };
    await withServer({ processingMs: 5, throttle }, async (server) => {
      const folder = await tinyDataset(1);
      const file = writeScenario(
        folder,
        scenario(server.url, '{ model: closed, concurrency: 1, jobs: 4 }'),
      );
      const result = await runCli(['run', file, '--out', tempDir('out'), '--quiet']);
      expect(result.status).toBe(0);
      expect(result.stdout).toContain('4 of 4 jobs completed');
      expect(result.stdout).toMatch(/^throttled: [1-9]\d* answer\(s\) 429 Too Many Requests/m);
    });
  });
});

/** PIDs of the direct children of `pid` (Linux /proc). */
function childPids(pid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) return false;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return true;
}

describe.concurrent('Ctrl-C before the first trial', () => {
  it('writes an empty run.json marked interrupted and exits 3', async () => {
    const silent = await silentServer();
    let connected = false;
    try {
      const folder = await tinyDataset(1);
      const file = writeScenario(
        folder,
        scenario(silent.url, '{ model: closed, concurrency: 1, jobs: 1 }'),
      );
      const out = tempDir('out');
      const { child, result } = startCli(['run', file, '--out', out, '--run-id', 'c', '--quiet']);
      // The pre-check is waiting for the hung service: the run has not started yet.
      await until(() => {
        connected = childHasConnection(child.pid!);
        return connected;
      }, 20_000);
      child.kill('SIGINT');
      const { status, stderr } = await result;
      expect(status).toBe(3);
      expect(stderr).toContain('stopping; writing what was measured');
      const run = JSON.parse(readFileSync(join(out, 'c', 'run.json'), 'utf8')) as RunFile;
      expect(run.complete).toBe(false);
      expect(run.stopReason).toBe('interrupted');
      expect(run.trials).toEqual([]);
      expect(run.summary.jobs.submitted).toBe(0);
      expect(existsSync(join(out, 'c', 'summary.md'))).toBe(true);
    } finally {
      await silent.close();
    }
  });

  it.skipIf(!existsSync('/proc/self/stat'))(
    'a second Ctrl-C while the built-in target starts kills the target too',
    async () => {
      const folder = await tinyDataset(1);
      const file = writeScenario(
        folder,
        scenario('builtin', '{ model: closed, concurrency: 1, jobs: 1 }').replace(
          'profile: ocrlotes }',
          'profile: ocrlotes, builtin: { workers: 1, languages: eng } }',
        ),
      );
      const out = tempDir('out');
      const { child, result } = startCli(['run', file, '--out', out, '--quiet']);
      let target: number | undefined;
      await until(() => (target = childPids(child.pid!)[0]) !== undefined, 30_000);
      expect(target).toBeDefined();
      child.kill('SIGINT');
      await new Promise((resolve) => setTimeout(resolve, 200));
      child.kill('SIGINT');
      const { status, stderr } = await result;
      expect(status).toBe(3);
      expect(stderr).toContain('stopped at once');
      expect(await until(() => !alive(target!), 5_000)).toBe(true);
    },
  );
});

/** True once process `pid` has an established TCP connection (it is waiting on a server). */
function childHasConnection(pid: number): boolean {
  try {
    const inodes = new Set<string>();
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const link = readlinkSync(`/proc/${pid}/fd/${fd}`);
        const match = /^socket:\[(\d+)\]$/.exec(link);
        if (match) inodes.add(match[1]);
      } catch {
        // closed meanwhile
      }
    }
    const table = readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1);
    return table.some((line) => {
      const fields = line.trim().split(/\s+/);
      return fields[3] === '01' && inodes.has(fields[9]);
    });
  } catch {
    return false;
  }
}

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
      `${scenario('builtin', '{ model: closed, concurrency: 1, jobs: 1 }')}mix: [{ file: doc-1.png, weight: 1 }]\n`,
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
        'such file; did you mean "doc-0.png"?. Fix: correct the path.',
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
