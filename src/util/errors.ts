/**
 * Errors a user can act on. Each carries a stable code so scripts and tests can match on it,
 * and a message that says what failed, the value, the rule, and what to do.
 */
export type ErrorCode =
  | 'E_SCENARIO_FILE'
  | 'E_SCENARIO_FIELD'
  | 'E_DATASET'
  | 'E_TARGET_UNREACHABLE'
  | 'E_TARGET_START'
  | 'E_RUN_FILE'
  | 'E_USAGE'
  /** A file or folder ocrbench was asked to write cannot be written (exit 2). */
  | 'E_OUTPUT'
  | 'E_GATE_FILE';

export class OcrbenchError extends Error {
  readonly code: ErrorCode;
  /** Process exit code the CLI uses for this error (see src/cli/exit-codes.ts). */
  readonly exitCode: number;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; exitCode?: number }) {
    super(message, options);
    this.name = 'OcrbenchError';
    this.code = code;
    this.exitCode =
      options?.exitCode ?? (code === 'E_TARGET_UNREACHABLE' || code === 'E_TARGET_START' ? 4 : 2);
  }
}

export function isOcrbenchError(error: unknown): error is OcrbenchError {
  return error instanceof OcrbenchError;
}
