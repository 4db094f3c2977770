import type { Profile } from './profile.ts';
import { multipart } from '../load/upload-body.ts';
import { getJson, sendUpload, failureOf, parseServerTime, secondsToMs } from './http.ts';

/**
 * The per-file asynchronous flow of the "ocrlotes" service (and the built-in target):
 *
 *   POST /api/ocr/process_image   multipart, field `files`  -> {"request_ids": [...]}
 *   GET  /api/ocr/result/<id>     404 while pending (body may say {"status": "queued"}),
 *                                 then 200 {"text", "processing_time" (s), timestamps}
 *   GET  /api/ocr/queue/status    {"queue_status": {pending, processing, completed, errors}}
 */
export const ocrlotesProfile: Profile = {
  name: 'ocrlotes',
  serverTimestamps: true,

  async submit(context, files) {
    const form = multipart(
      files.map((file) => ({
        field: 'files',
        name: file.name,
        contentType: file.contentType,
        body: file.body,
      })),
    );
    const response = await sendUpload(
      context,
      '/api/ocr/process_image',
      form.body,
      form.contentType,
    );
    if (response.kind !== 'ok') return response.outcome;
    const ids = idsOf(response.json);
    if (!ids) {
      return {
        kind: 'failed',
        failureClass: 'malformedResponse',
        error: `upload answer has no request_ids: ${preview(response.json)}`,
        status: response.status,
      };
    }
    return { kind: 'accepted', handles: ids.map((jobId) => ({ jobId })) };
  },

  async poll(context, handle) {
    const response = await getJson(context, `/api/ocr/result/${encodeURIComponent(handle.jobId)}`);
    if (response.kind === 'error') return { kind: 'requestFailed', ...response.failure };
    const { status, json } = response;
    const body = (json ?? {}) as Record<string, unknown>;
    if (status === 404) {
      const state = String(body.status ?? '');
      if (state === 'unknown') return { kind: 'notFound' };
      if (state === 'queued' || state === 'pending') return { kind: 'pending', state: 'queued' };
      if (state === 'processing') return { kind: 'pending', state: 'processing' };
      return { kind: 'pending', state: 'unknown' };
    }
    if (status === 429) return { kind: 'throttled', retryAfterMs: response.retryAfterMs ?? 1000 };
    if (status !== 200) return { kind: 'requestFailed', ...failureOf(status, json) };
    if (json === undefined || typeof json !== 'object' || json === null) {
      return {
        kind: 'requestFailed',
        failureClass: 'malformedResponse',
        error: 'result is not JSON',
      };
    }
    const result = {
      text: typeof body.text === 'string' ? body.text : null,
      confidence: typeof body.confidence === 'number' ? body.confidence : null,
      processingMs: secondsToMs(body.processing_time),
      enqueuedAtMs: parseServerTime(body.enqueued_at),
      startedAtMs: parseServerTime(body.started_at),
      finishedAtMs: parseServerTime(body.finished_at),
      raw: json,
    };
    if (body.status === 'error' || body.status === 'failed') {
      return {
        kind: 'jobFailed',
        error: String(body.error ?? 'the service reported an error'),
        result,
      };
    }
    return { kind: 'done', result };
  },

  async queueStatus(context) {
    const response = await getJson(context, '/api/ocr/queue/status');
    if (response.kind === 'error' || response.status !== 200) return null;
    const body = (response.json ?? {}) as Record<string, unknown>;
    const queue = (body.queue_status ?? body) as Record<string, unknown>;
    const number = (value: unknown) => (typeof value === 'number' ? value : 0);
    return {
      pending: number(queue.pending),
      processing: number(queue.processing),
      completed: number(queue.completed),
      errors: number(queue.errors),
    };
  },
};

function idsOf(json: unknown): string[] | null {
  if (!json || typeof json !== 'object') return null;
  const body = json as Record<string, unknown>;
  const ids = body.request_ids ?? (body.request_id !== undefined ? [body.request_id] : undefined);
  if (!Array.isArray(ids) || ids.length === 0) return null;
  return ids.map(String);
}

function preview(json: unknown): string {
  return JSON.stringify(json)?.slice(0, 200) ?? 'nothing';
}
