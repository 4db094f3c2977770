import type { JobResult } from './profile.ts';
import { isRecord, secondsToMs } from './http.ts';
import { ResultFields } from './result-fields.ts';

/**
 * Reads a result object shaped like the ocrlotes service's: `text`, `confidence`,
 * `processing_time` in seconds (or `extraction_stats.processing_time`, as in batch
 * results), and ISO 8601 timestamps `enqueued_at`, `started_at`, `finished_at`.
 * Shared by the `ocrlotes-batch` and `sync` profiles.
 */
export function ocrlotesResultOf(json: unknown): JobResult {
  const body = isRecord(json) ? json : {};
  const stats = isRecord(body.extraction_stats) ? body.extraction_stats : {};
  const fields = new ResultFields();
  // Read in the order of the result's fields, so notes list them that way.
  const text = fields.text('text', body.text);
  const confidence = fields.number('confidence', body.confidence);
  const inStats = stats.processing_time !== undefined && stats.processing_time !== null;
  const seconds = fields.number(
    inStats ? 'extraction_stats.processing_time' : 'processing_time',
    inStats ? stats.processing_time : body.processing_time,
  );
  return {
    text,
    confidence,
    processingMs: secondsToMs(seconds),
    enqueuedAtMs: fields.time('enqueued_at', body.enqueued_at),
    startedAtMs: fields.time('started_at', body.started_at),
    finishedAtMs: fields.time('finished_at', body.finished_at),
    ...fields.note(),
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
