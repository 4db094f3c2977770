import { z } from 'zod';
import type { JobResult, Profile } from './profile.ts';
import { multipart } from '../load/upload-body.ts';
import { isRecord, malformed, preview, sendUpload } from './http.ts';
import { jobErrorOf, ocrlotesResultOf } from './results.ts';

/**
 * Settings of the `sync` profile (scenario field `target.sync`): the upload's answer is
 * the result. One file: the answer is the result object (or `{"results": [one]}`);
 * several files: `{"results": [...]}` in upload order. Each result has the ocrlotes
 * fields: `text`, `processing_time` (seconds, or ms with `processingTimeUnit: ms`),
 * optional `status` ("error" fails the job) and timestamps.
 */
export const syncProfileSchema = z
  .strictObject({
    /** @default '/api/ocr/process_sync' */
    path: z
      .string()
      .startsWith('/', { message: 'must start with "/" (a path on the target URL)' })
      .default('/api/ocr/process_sync')
      .describe('Path the multipart upload is sent to.'),
    /** @default 'files' */
    fileField: z.string().min(1).default('files').describe('Form field of each file.'),
    /** @default {} */
    fields: z
      .record(z.string(), z.string())
      .default({})
      .describe('Extra form fields sent with every upload.'),
    /** @default 's' */
    processingTimeUnit: z
      .enum(['s', 'ms'])
      .default('s')
      .describe('Unit of `processing_time` in the answer.'),
  })
  .describe('Settings of the `sync` profile (docs/profiles.md).');

export type SyncProfileConfig = z.output<typeof syncProfileSchema>;

export function createSyncProfile(settings: unknown = {}): Profile {
  const config = syncProfileSchema.parse(settings ?? {});
  // ocrlotesResultOf reads seconds; a service answering in ms is scaled back.
  const scale = config.processingTimeUnit === 'ms' ? 1 / 1000 : 1;

  return {
    name: 'sync',
    serverTimestamps: false,

    async submit(context, files) {
      const form = multipart(
        files.map((file) => ({ field: config.fileField, ...file })),
        config.fields,
      );
      const response = await sendUpload(context, config.path, form.body, form.contentType);
      if (response.kind !== 'ok') return response.outcome;
      const { json, status } = response;
      const list = isRecord(json) && Array.isArray(json.results) ? json.results : null;
      const entries = list ?? (files.length === 1 && isRecord(json) ? [json] : null);
      if (!entries || entries.length !== files.length || !entries.every(isRecord)) {
        const error = `expected ${files.length} result(s) in the answer: ${preview(json)}`;
        return { kind: 'failed', ...malformed(error, status) };
      }
      // TODO(profiles): SubmitOutcome cannot fail some files of a request and complete
      // others; a failed file fails the whole request until the contract allows both.
      const failures = entries.map(jobErrorOf).filter((error) => error !== null);
      if (failures.length > 0) {
        return { kind: 'failed', failureClass: 'jobError', error: failures[0], status };
      }
      const results: JobResult[] = entries.map((entry) => {
        const result = ocrlotesResultOf(entry);
        const processingMs = result.processingMs === null ? null : result.processingMs * scale;
        return { ...result, processingMs };
      });
      return { kind: 'completed', results };
    },

    async poll() {
      // Never called: a sync upload completes its jobs, it hands out no handles.
      return { kind: 'requestFailed', failureClass: 'other', error: 'sync jobs are not polled' };
    },

    async queueStatus() {
      return null;
    },
  };
}

/** The `sync` profile with default settings. */
export const syncProfile: Profile = createSyncProfile();
