import type { JobResult } from './profile.ts';
import { isRecord, parseServerTime, secondsToMs } from './http.ts';

/**
 * Reads a result object shaped like the ocrlotes service's: `text`, `confidence`,
 * `processing_time` in seconds (or `extraction_stats.processing_time`, as in batch
 * results), and ISO 8601 timestamps `enqueued_at`, `started_at`, `finished_at`.
 * Shared by the `ocrlotes-batch` and `sync` profiles.
 */
export function ocrlotesResultOf(json: unknown): JobResult {
  const body = isRecord(json) ? json : {};
  const stats = isRecord(body.extraction_stats) ? body.extraction_stats : {};
  return {
    text: typeof body.text === 'string' ? body.text : null,
    confidence: typeof body.confidence === 'number' ? body.confidence : null,
    processingMs: secondsToMs(stats.processing_time ?? body.processing_time),
    enqueuedAtMs: parseServerTime(body.enqueued_at),
    startedAtMs: parseServerTime(body.started_at),
    finishedAtMs: parseServerTime(body.finished_at),
    raw: json,
  };
}

const FAILED_STATES = new Set(['error', 'failed', 'failure']);

/** The error message when a result object says its job failed; null when it did not. */
export function jobErrorOf(json: unknown): string | null {
  if (!isRecord(json)) return null;
  const state = String(json.status ?? '').toLowerCase();
  if (!FAILED_STATES.has(state)) return null;
  return typeof json.error === 'string' && json.error !== ''
    ? json.error
    : 'the service reported an error';
}
