import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FAULT_NAMES } from '../src/target/index.ts';

// The README is a newcomer's first page: its commands must exist and its fault table must
// name every fault the target has, no more.

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const scripts = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  .scripts as Record<string, string>;

describe('README', () => {
  it('opens with the demo and the test command, both npm scripts', () => {
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const commands = [...firstBlock.matchAll(/npm (?:run )?(\w+)/g)].map((m) => m[1]);
    expect(commands).toEqual(['ci', 'demo', 'ci', 'test']);
    expect(scripts.demo).toMatch(/ocrbench\.js demo/);
    expect(scripts.test).toMatch(/vitest run/);
  });

  it('tables every fault of the built-in target, with what it reproduces and shows', () => {
    const table = readme.split('<!-- faults:begin -->')[1]?.split('<!-- faults:end -->')[0];
    const rows = (table ?? '')
      .split('\n')
      .filter((line) => line.startsWith('| `'))
      .map((line) => line.split('|').slice(1, -1).map((cell) => cell.trim()));
    expect(rows.map((row) => row[0].replace(/`/g, ''))).toEqual([...FAULT_NAMES]);
    for (const row of rows) {
      expect(row).toHaveLength(3);
      expect(row[1].length, row[0]).toBeGreaterThan(10);
      expect(row[2].length, row[0]).toBeGreaterThan(10);
    }
  });
});
