import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GENERATE_DEFAULTS } from '../src/dataset/defaults.ts';

const docs = readFileSync(new URL('../docs/datasets.md', import.meta.url), 'utf8');

describe('docs/datasets.md', () => {
  it('lists every generate option with the default the code uses', () => {
    const table = docs.split('<!-- options:begin')[1]?.split('<!-- options:end')[0] ?? '';
    const rows = table.split('\n').filter((line) => line.startsWith('| `'));
    const documented = Object.fromEntries(
      rows.map((row) => {
        const [option, value] = row
          .split('|')
          .slice(1, 3)
          .map((cell) => cell.trim());
        return [/^`(\w+)`/.exec(option ?? '')?.[1], value?.replace(/^`|`$/g, '')];
      }),
    );
    const expected = Object.fromEntries(
      Object.entries(GENERATE_DEFAULTS).map(([key, value]) => [key, JSON.stringify(value)]),
    );
    expect(documented).toEqual(expected);
  });
});
