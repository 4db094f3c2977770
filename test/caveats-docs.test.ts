import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// Every caveat code the code can raise is explained in docs/caveats.md, and the doc names no
// code that no longer exists. Codes are read from the sources, so a new one is caught.

const doc = readFileSync(new URL('../docs/caveats.md', import.meta.url), 'utf8');

function sources(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** Codes passed to `add('code', ...)` or written as `code: 'code'` in the given folders. */
function raisedCodes(folders: string[]): string[] {
  const codes = new Set<string>();
  for (const file of folders.flatMap((folder) => sources(folder))) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/(?:\badd\(\s*|\bcode:\s*)'([a-z][a-z0-9-]+)'/g)) {
      codes.add(match[1]!);
    }
  }
  return [...codes].sort();
}

function documented(table: string): string[] {
  const text = doc.split(`<!-- ${table}:begin -->`)[1]?.split(`<!-- ${table}:end -->`)[0];
  return [...(text ?? '').matchAll(/^\| `([a-z0-9-]+)` \|/gm)].map((m) => m[1]!).sort();
}

describe('docs/caveats.md', () => {
  it('explains every run caveat: trial checks, observation, overrides, early stops', () => {
    const raised = raisedCodes(['src/run', 'src/observe']);
    expect(raised.length).toBeGreaterThan(15);
    expect(documented('run-caveats')).toEqual(raised);
  });

  it('explains every caveat a comparison adds', () => {
    expect(documented('compare-caveats')).toEqual(raisedCodes(['src/compare']));
  });
});
