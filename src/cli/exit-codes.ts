/** Exit codes of every command; documented in the README. */
export const EXIT = {
  ok: 0,
  /** `gate`: a threshold was broken. */
  regression: 1,
  /** Bad arguments, scenario, gate file or run file. */
  usage: 2,
  /**
   * The run stopped early (Ctrl-C, target died), or no job completed (every job failed,
   * timed out or was lost); what was measured was still written.
   */
  incomplete: 3,
  /** The target could not be reached or started. */
  target: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
