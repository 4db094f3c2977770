import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FAULT_NAMES, TARGET_DEFAULTS, type TargetOptions } from '../src/target/index.ts';
import { targetArguments } from '../src/target/spawn.ts';

const docs = readFileSync(new URL('../docs/target.md', import.meta.url), 'utf8');

/**
 * The table between `<!-- name:begin` and `<!-- name:end`, as rows of trimmed cells keyed by
 * the header's column names (so the columns may be reordered).
 */
function table(name: string): Array<Record<string, string>> {
  const text = docs.split(`<!-- ${name}:begin`)[1]?.split(`<!-- ${name}:end`)[0] ?? '';
  const cells = (line: string) =>
    line
      .split(/(?<!\\)\|/)
      .slice(1, -1)
      .map((cell) => cell.trim());
  const lines = text.split('\n').filter((line) => line.startsWith('|'));
  const header = cells(lines[0] ?? '');
  return lines
    .slice(2)
    .map((line) => Object.fromEntries(cells(line).map((cell, i) => [header[i] ?? i, cell])));
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
  pageTimeoutMs: 1500,
};

describe('docs/target.md', () => {
  it('lists every setting with the default and the flag the code uses', () => {
    const rows = table('settings');
    const documented = Object.fromEntries(
      rows.map((row) => [unquote(row.Option!), unquote(row.Default!)]),
    );
    const expected = Object.fromEntries(
      Object.entries(TARGET_DEFAULTS).map(([key, value]) => [
        key,
        // Depends on the machine: written in words.
        key === 'workers' ? expect.stringMatching(/core count/) : JSON.stringify(value),
      ]),
    );
    expect(documented).toEqual(expected);

    for (const row of rows) {
      const key = unquote(row.Option!) as keyof TargetOptions;
      const flag = /^`(--[\w-]+)/.exec(row.CLI ?? row.Flag ?? '')?.[1];
      const sample = key === 'port' ? { port: 1 } : { [key]: SAMPLES[key] };
      expect(targetArguments(sample), `${key}: spawnTarget passes another flag`).toContain(flag);
    }
  });

  it('has one row per fault, in FAULT_NAMES order, with what it reproduces and shows', () => {
    const rows = table('faults');
    expect(rows.map((row) => unquote(row.Fault!))).toEqual([...FAULT_NAMES]);
    for (const row of rows) {
      expect(row['What it reproduces']?.length).toBeGreaterThan(5);
      const lookFor = Object.keys(row).find((name) => name.startsWith('What to look for'));
      expect(row[lookFor ?? '']?.length).toBeGreaterThan(5);
    }
  });
});
