import type { Profile } from './profile.ts';
import { multipart } from '../load/upload-body.ts';
import {
  getJson,
  sendUpload,
  failureOf,
  isRecord,
  malformed,
  pollOutcomeOf404,
  preview,
} from './http.ts';
import { jobErrorOf, ocrlotesResultOf } from './results.ts';

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
    if (status === 404) return pollOutcomeOf404(json);
    if (status === 429) return { kind: 'throttled', retryAfterMs: response.retryAfterMs ?? 1000 };
    if (status !== 200) return { kind: 'requestFailed', ...failureOf(status, json) };
    if (!isRecord(json))
      return { kind: 'requestFailed', ...malformed('result is not JSON', status) };
    const result = ocrlotesResultOf(json);
    const error = jobErrorOf(json);
    return error === null ? { kind: 'done', result } : { kind: 'jobFailed', error, result };
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
