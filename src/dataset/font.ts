import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { GlobalFonts } from '@napi-rs/canvas';
import { OcrbenchError } from '../util/errors.ts';

/**
 * Family name the canvas knows the npm DejaVu Sans by. A distinct alias, so a system
 * "DejaVu Sans" (if any) can never be picked instead: output is the same on every machine.
 */
export const FONT_FAMILY = 'ocrbench DejaVu Sans';

let registered = false;

/** Absolute path of DejaVuSans.ttf from the `dejavu-fonts-ttf` package, from any cwd. */
export function fontPath(): string {
  const require = createRequire(import.meta.url);
  const packageJson = require.resolve('dejavu-fonts-ttf/package.json');
  return join(dirname(packageJson), 'ttf', 'DejaVuSans.ttf');
}

/**
 * Registers the font once. @napi-rs/canvas ships no fonts and silently draws nothing when
 * a family is unknown, so a failed registration is an error, not a blank dataset.
 */
export function ensureFont(): string {
  const path = fontPath();
  if (registered) return path;
  const key = GlobalFonts.registerFromPath(path, FONT_FAMILY);
  if (!key && !GlobalFonts.has(FONT_FAMILY)) {
    throw new OcrbenchError(
      'E_DATASET',
      `could not register the font ${path}; reinstall with \`npm ci\` (package dejavu-fonts-ttf).`,
    );
  }
  registered = true;
  return path;
}
