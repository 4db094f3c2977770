import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { OcrbenchError } from './errors.ts';

/** Node file-system error codes a user can fix, in words. */
const REASONS: Record<string, string> = {
  ENOTDIR: 'a part of the path is a file, not a folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EISDIR: 'it is a folder, not a file',
  EEXIST: 'something else already exists there',
  ENAMETOOLONG: 'the name is too long',
};

/** A file-system failure worth one clear line instead of a stack trace. */
export function isFileSystemError(error: unknown): error is NodeJS.ErrnoException {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' && code in REASONS;
}

/** The reason of a file-system error in words, with its code: "permission denied (EACCES)". */
export function fileSystemReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code && REASONS[code]) return `${REASONS[code]} (${code})`;
  return error instanceof Error ? error.message : String(error);
}

/** "cannot write to <path>: <reason>." as an E_OUTPUT error (exit 2). */
export function cannotWrite(path: string, reason: string, fix?: string): OcrbenchError {
  return new OcrbenchError(
    'E_OUTPUT',
    `cannot write to ${path}: ${reason}.${fix ? ` Fix: ${fix}.` : ''}`,
  );
}

/**
 * Why `folder` could not be created (or written into if it exists), or null when it can.
 * Creates nothing: the nearest existing part of the path must be a folder we may write in.
 */
export async function folderProblem(folder: string): Promise<string | null> {
  const target = resolve(folder);
  let current = target;
  for (;;) {
    let isFolder: boolean;
    try {
      isFolder = (await stat(current)).isDirectory();
    } catch (error) {
      const parent = dirname(current);
      const code = (error as NodeJS.ErrnoException).code;
      // ENOTDIR: a part above is a file; walking up finds and names it.
      if ((code === 'ENOENT' || code === 'ENOTDIR') && parent !== current) {
        current = parent;
        continue;
      }
      return fileSystemReason(error);
    }
    if (!isFolder) {
      return current === target
        ? 'it is a file, not a folder'
        : `${current} is a file, not a folder (ENOTDIR)`;
    }
    try {
      await access(current, constants.W_OK | constants.X_OK);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return code === 'EACCES' || code === 'EPERM'
        ? `no permission to write in ${current} (${code})`
        : fileSystemReason(error);
    }
    return null;
  }
}

/**
 * Fails (E_OUTPUT, exit 2) unless `folder` can be created or written into. Commands call it
 * before they spend minutes of load or rendering on results they could not keep.
 */
export async function assertWritableFolder(folder: string, fix?: string): Promise<void> {
  const problem = await folderProblem(folder);
  if (problem !== null) throw cannotWrite(folder, problem, fix);
}

/** Like assertWritableFolder for a file written atomically (a temporary sibling, renamed). */
export async function assertWritableFile(file: string, fix?: string): Promise<void> {
  try {
    if ((await stat(file)).isDirectory()) {
      throw cannotWrite(file, 'it is a folder, not a file (EISDIR)', fix);
    }
  } catch (error) {
    if (error instanceof OcrbenchError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') {
      throw cannotWrite(file, fileSystemReason(error), fix);
    }
  }
  const problem = await folderProblem(dirname(resolve(file)));
  if (problem !== null) {
    throw cannotWrite(
      file,
      problem.replace(
        /^it is a file, not a folder$/,
        `${dirname(file)} is a file, not a folder (ENOTDIR)`,
      ),
      fix,
    );
  }
}
