import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// The built-in target is a stand-in for the user's service: it must not depend on the
// harness or on the dataset generator. Code both need (PDF rasterising) lives in the
// neutral src/imaging, which depends on neither.

const src = fileURLToPath(new URL('../src/', import.meta.url));

/** Folders under src/ that the .ts files of `folder` import from (relative imports only). */
function importedFolders(folder: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const name of readdirSync(join(src, folder)).filter((n) => n.endsWith('.ts'))) {
    const text = readFileSync(join(src, folder, name), 'utf8');
    const specifiers = [...text.matchAll(/(?:from|import\()\s*'(\.[^']+)'/g)].map((m) => m[1]!);
    for (const specifier of specifiers) {
      const target = relative(src, resolve(join(src, folder), specifier));
      const top = target.split('/')[0]!;
      found.set(top, [...(found.get(top) ?? []), `${folder}/${name} -> ${specifier}`]);
    }
  }
  return found;
}

describe('module boundaries', () => {
  it('src/target imports only itself, src/imaging and src/util', () => {
    const folders = importedFolders('target');
    const outside = [...folders].filter(([top]) => !['target', 'imaging', 'util'].includes(top));
    expect(outside.flatMap(([, where]) => where)).toEqual([]);
    expect(folders.get('imaging')).toEqual(['target/pdf.ts -> ../imaging/rasterise-pdf.ts']);
  });

  it('src/imaging imports nothing from src/', () => {
    const folders = importedFolders('imaging');
    expect([...folders.keys()].filter((top) => top !== 'imaging')).toEqual([]);
  });
});
