import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);

/** `tesseract --list-langs` answers in about 20 ms; a hung binary must not hang a check, ms. */
const LIST_TIMEOUT_MS = 5_000;

/**
 * The languages the built-in target can load with `engine`, or null when that cannot be
 * known here (tesseract not installed: the run says so when it starts the target).
 *
 * - `tesseract.js`: the `@tesseract.js-data/<code>` packages in node_modules, which is where
 *   the target takes its models from (src/target/engine-tesseractjs.ts; never a download);
 * - `tesseract-cli`: what `tesseract --list-langs` lists, without `osd` (orientation only).
 */
export function builtinLanguages(engine: 'tesseract.js' | 'tesseract-cli'): string[] | null {
  return engine === 'tesseract.js' ? npmLanguages() : cliLanguages();
}

function npmLanguages(): string[] {
  const found = new Set<string>();
  for (const base of require.resolve.paths('@tesseract.js-data/eng') ?? []) {
    const folder = join(base, '@tesseract.js-data');
    if (!existsSync(folder)) continue;
    for (const code of readdirSync(folder)) {
      if (existsSync(join(folder, code, 'package.json'))) found.add(code);
    }
  }
  return [...found].sort();
}

function cliLanguages(): string[] | null {
  let listed: string;
  try {
    listed = execFileSync('tesseract', ['--list-langs'], {
      encoding: 'utf8',
      timeout: LIST_TIMEOUT_MS,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch {
    return null;
  }
  // The first line is 'List of available languages in "<folder>" (N):'.
  return listed
    .split('\n')
    .slice(1)
    .map((line) => line.trim())
    .filter((code) => code !== '' && code !== 'osd')
    .sort();
}

/**
 * The codes of `languages` ("spa+eng") that `available` lacks; empty when all are there.
 * An empty code (a stray `+`) counts as missing.
 */
export function missingLanguages(languages: string, available: string[]): string[] {
  return languages.split('+').filter((code) => !available.includes(code));
}
