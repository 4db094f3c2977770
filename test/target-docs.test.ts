import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FAULT_NAMES, TARGET_DEFAULTS, type TargetOptions } from '../src/target/index.ts';
import { targetArguments } from '../src/target/spawn.ts';

const docs = readFileSync(new URL('../docs/target.md', import.meta.url), 'utf8');

/** Rows of the table between `<!-- name:begin` and `<!-- name:end`, as trimmed cells. */
function table(name: string): string[][] {
  const text = docs.split(`<!-- ${name}:begin`)[1]?.split(`<!-- ${name}:end`)[0] ?? '';
  return text
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) =>
      line
        .split(/(?<!\\)\|/)
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
}

const unquote = (cell: string) => cell.replace(/^`|`$/g, '');

/** Samples that differ from every default, to find the flag each option becomes. */
const SAMPLES: Partial<TargetOptions> = {
  host: '::1',
  workers: 3,
  threadsPerWorker: 2,
  engine: 'tesseract-cli',
  languages: 'eng',
  faults: ['temp-leak'],
  dataDir: '/x',
  retentionSeconds: 5,
  queueLimit: 7,
  maxUploadBytes: 2 ** 20,
  shutdownGraceMs: 2000,
};

describe('docs/target.md', () => {
  it('lists every setting with the default and the flag the code uses', () => {
    const rows = table('settings');
    const documented = Object.fromEntries(rows.map((row) => [unquote(row[0]!), row[1]]));
    const expected = Object.fromEntries(
      Object.entries(TARGET_DEFAULTS).map(([key, value]) => [
        key,
        // Depends on the machine: written in words.
        key === 'workers' ? 'the core count' : `\`${JSON.stringify(value)}\``,
      ]),
    );
    expect(documented).toEqual(expected);

    for (const row of rows) {
      const key = unquote(row[0]!) as keyof TargetOptions;
      const flag = /^`(--[\w-]+)`/.exec(row[2]!)?.[1];
      const sample = key === 'port' ? { port: 1 } : { [key]: SAMPLES[key] };
      expect(targetArguments(sample), `${key}: spawnTarget passes another flag`).toContain(flag);
    }
  });

  it('has one row per fault, in the order of FAULT_NAMES, each with a counter', () => {
    const rows = table('faults');
    expect(rows.map((row) => unquote(row[0]!))).toEqual([...FAULT_NAMES]);
    for (const row of rows) {
      expect(row).toHaveLength(5);
      for (const cell of row) expect(cell.length).toBeGreaterThan(5);
    }
  });
});
