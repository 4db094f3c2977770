import type { JobHandle, PollOutcome, Profile, ProfileContext } from './profile.ts';
import { multipart } from '../load/upload-body.ts';
import { BatchBook, type BatchBookOptions } from './batch-book.ts';
import {
  failureOf,
  getJson,
  isRecord,
  malformed,
  pollOutcomeOf404,
  preview,
  sendUpload,
} from './http.ts';
import { ocrlotesProfile } from './ocrlotes.ts';
import { jobErrorOf, ocrlotesResultOf } from './results.ts';

/**
 * The batch flow of the ocrlotes service. Each file is its own job (job id
 * `<batch_id>:<index>`), but the service answers per batch:
 *
 *   POST /api/ocr/process_batch            multipart, field `files`  -> {"batch_id"}
 *   GET  /api/ocr/batch_status/<batch_id>  {"status": "processing"|"completed", total,
 *                                          completed, errors, progress}
 *   GET  /api/ocr/batch_results/<batch_id> {"results": [{text, status, processing_time or
 *                                          extraction_stats.processing_time (s), timestamps}]}
 *
 * Results are matched to files by position. The jobs of one batch share one status
 * request per poll round and one results request (see batch-book.ts).
 */
export interface BatchHandle extends JobHandle {
  batchId: string;
  index: number;
  total: number;
}

const DONE = new Set(['completed', 'done', 'finished']);
const FAILED = new Set(['error', 'failed']);
const QUEUED = new Set(['queued', 'pending']);

export function createOcrlotesBatchProfile(options: BatchBookOptions = {}): Profile {
  const book = new BatchBook(options);

  return {
    name: 'ocrlotes-batch',
    serverTimestamps: true,

    async submit(context, files) {
      const form = multipart(files.map((file) => ({ field: 'files', ...file })));
      const response = await sendUpload(
        context,
        '/api/ocr/process_batch',
        form.body,
        form.contentType,
      );
      if (response.kind !== 'ok') return response.outcome;
      const batchId = isRecord(response.json) ? response.json.batch_id : undefined;
      if (typeof batchId !== 'string' && typeof batchId !== 'number') {
        return {
          kind: 'failed',
          ...malformed(`batch upload answer has no batch_id: ${preview(response.json)}`),
          status: response.status,
        };
      }
      const handles: BatchHandle[] = files.map((_, index) => ({
        jobId: `${batchId}:${index}`,
        batchId: String(batchId),
        index,
        total: files.length,
      }));
      return { kind: 'accepted', handles };
    },

    async poll(context, rawHandle) {
      const handle = rawHandle as BatchHandle;
      const { batchId, total } = handle;
      const path = `/api/ocr/batch_status/${encodeURIComponent(batchId)}`;
      const response = await book.status(batchId, total, () => getJson(context, path));
      if (response.kind === 'error') return { kind: 'requestFailed', ...response.failure };
      const { status, json } = response;
      if (status === 429) return { kind: 'throttled', retryAfterMs: response.retryAfterMs ?? 1000 };
      if (status === 404) {
        const outcome = pollOutcomeOf404(json);
        if (outcome.kind === 'notFound') book.forget(batchId);
        return outcome;
      }
      if (status !== 200) return { kind: 'requestFailed', ...failureOf(status, json) };
      const state = isRecord(json) ? String(json.status ?? '').toLowerCase() : '';
      if (state === '') {
        const why = json === undefined ? (response.parseError ?? 'empty') : preview(json);
        return { kind: 'requestFailed', ...malformed(`batch status without status: ${why}`) };
      }
      if (DONE.has(state)) return resultOf(context, handle);
      if (FAILED.has(state)) {
        book.taken(batchId, handle.index);
        const error = isRecord(json) && typeof json.error === 'string' ? json.error : state;
        return { kind: 'jobFailed', error: `the batch failed: ${error}`, result: null };
      }
      return { kind: 'pending', state: QUEUED.has(state) ? 'queued' : 'processing' };
    },

    queueStatus: (context) => ocrlotesProfile.queueStatus(context),
  };

  async function resultOf(context: ProfileContext, handle: BatchHandle): Promise<PollOutcome> {
    const { batchId, index, total } = handle;
    const path = `/api/ocr/batch_results/${encodeURIComponent(batchId)}`;
    const response = await book.results(batchId, total, () => getJson(context, path));
    if (response.kind === 'error') return { kind: 'requestFailed', ...response.failure };
    if (response.status === 429) {
      return { kind: 'throttled', retryAfterMs: response.retryAfterMs ?? 1000 };
    }
    if (response.status !== 200) {
      return { kind: 'requestFailed', ...failureOf(response.status, response.json) };
    }
    const results = isRecord(response.json) ? response.json.results : undefined;
    if (!Array.isArray(results) || !isRecord(results[index])) {
      book.dropResults(batchId);
      const why = response.json === undefined ? response.parseError : preview(response.json);
      return {
        kind: 'requestFailed',
        ...malformed(`batch results have no entry ${index}: ${why ?? 'empty'}`),
      };
    }
    book.taken(batchId, index);
    const result = ocrlotesResultOf(results[index]);
    const error = jobErrorOf(results[index]);
    return error === null ? { kind: 'done', result } : { kind: 'jobFailed', error, result };
  }
}

/** The `ocrlotes-batch` profile with default sharing settings. */
export const ocrlotesBatchProfile: Profile = createOcrlotesBatchProfile();
