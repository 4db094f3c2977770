import type { JobRecord } from '../record/run-file.ts';
import { plural } from '../util/plural.ts';

/**
 * Why jobs failed or timed out, from jobs.ndjson: a count per fate alone ("20 timed out")
 * does not say what to fix, and the reason is the last error each job met. Grouped by that
 * error, most common first, so the summary can say "20 timed out; last poll: HTTP 500 (20)".
 */
export interface LastErrors {
  failed: ErrorCount[];
  timedOut: ErrorCount[];
}

export interface ErrorCount {
  error: string;
  count: number;
}

/** Distinct errors shown per fate; the rest are counted as "N other". */
export const SHOWN_ERRORS = 3;
/** Characters of one error kept: a 5xx body can be long, its start says what it is. */
const ERROR_CHARS = 100;

/** The most common last errors of the measured (not warm-up) failed and timed-out jobs. */
export function lastErrors(jobs: JobRecord[]): LastErrors {
  const measured = jobs.filter((job) => !job.warmup);
  return {
    failed: countErrors(measured.filter((job) => job.fate === 'failed').map(failedReason)),
    timedOut: countErrors(measured.filter((job) => job.fate === 'timedOut').map(timedOutReason)),
  };
}

/** A failed job's error as recorded, or its failure class when it has none. */
function failedReason(job: JobRecord): string {
  return clip(job.error ?? job.failureClass ?? 'no error recorded');
}

/**
 * A timed-out job's error reads "no result within 60 s (last poll: HTTP 500)": the part in
 * brackets is the reason; without one, every poll answered "not finished yet".
 */
function timedOutReason(job: JobRecord): string {
  const error = job.error ?? '';
  const lastPoll = /\(last poll: (.*)\)$/s.exec(error);
  if (lastPoll) return clip(`last poll: ${lastPoll[1]}`);
  return error === '' ? 'no error recorded' : clip(`${error}, still pending`);
}

function countErrors(errors: string[]): ErrorCount[] {
  const counts = new Map<string, number>();
  for (const error of errors) counts.set(error, (counts.get(error) ?? 0) + 1);
  return [...counts]
    .map(([error, count]) => ({ error, count }))
    .sort((a, b) => b.count - a.count || a.error.localeCompare(b.error));
}

function clip(error: string): string {
  const oneLine = error.replace(/\s+/g, ' ').trim();
  return oneLine.length > ERROR_CHARS ? `${oneLine.slice(0, ERROR_CHARS - 3)}...` : oneLine;
}

/**
 * "20 timed out; last poll: HTTP 500 (20)" and "3 failed; HTTP 503 (2), ... (1)": one line
 * per fate with jobs, the commonest errors first. Empty when no job failed or timed out.
 */
export function lastErrorLines(errors: LastErrors): string[] {
  const lines: string[] = [];
  const line = (total: number, verb: string, counts: ErrorCount[]) => {
    if (total === 0) return;
    const shown = counts.slice(0, SHOWN_ERRORS).map((c) => `${c.error} (${c.count})`);
    const others = counts.slice(SHOWN_ERRORS).reduce((sum, c) => sum + c.count, 0);
    if (others > 0) shown.push(`${plural(others, 'other')}`);
    lines.push(`${total} ${verb}; ${shown.join(', ')}`);
  };
  line(sum(errors.failed), 'failed', errors.failed);
  line(sum(errors.timedOut), 'timed out', errors.timedOut);
  return lines;
}

function sum(counts: ErrorCount[]): number {
  return counts.reduce((total, c) => total + c.count, 0);
}
