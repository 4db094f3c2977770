import { OcrbenchError } from '../util/errors.ts';

/**
 * A run id is the name of ONE folder under --out: letters, digits, `.`, `_` and `-`, 1-128
 * characters, never `.` or `..`. Anything else (a `/`, `..`, a drive letter, a NUL) could
 * put the run outside --out or fail on another file system, so it is refused before any
 * file is written or any load is sent.
 */
const RUN_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** True when `id` is a safe run folder name. */
export function isRunId(id: string): boolean {
  return RUN_ID.test(id) && id !== '.' && id !== '..';
}

/** Throws a usage error (exit 2) naming the rule and a fix when `id` is not a safe name. */
export function checkRunId(id: string): void {
  if (isRunId(id)) return;
  const why =
    id === ''
      ? 'it is empty'
      : id === '.' || id === '..'
        ? `${JSON.stringify(id)} names a folder that already exists above the run`
        : id.length > 128
          ? `it is ${id.length} characters long`
          : `it holds ${describeBad(id)}`;
  throw new OcrbenchError(
    'E_USAGE',
    `--run-id ${JSON.stringify(id)}: a run id is one folder name inside --out (letters, ` +
      `digits, '.', '_' and '-', at most 128, not '.' or '..'), but ${why}. Fix: choose ` +
      `a name such as ${JSON.stringify(suggestion(id))}, and put the folder with --out.`,
  );
}

/** "'/' and ' '": the first few characters the rule refuses, quoted. */
function describeBad(id: string): string {
  const bad = [...new Set([...id].filter((char) => !/[A-Za-z0-9._-]/.test(char)))];
  const shown = bad.slice(0, 4).map((char) => JSON.stringify(char));
  return `${shown.join(' and ')}${bad.length > 4 ? ' and more' : ''}`;
}

/** The id with refused characters replaced by `-`, for the fix. */
function suggestion(id: string): string {
  const safe = id
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[.-]+|-+$/g, '')
    .slice(0, 128);
  return isRunId(safe) ? safe : 'baseline-1';
}
