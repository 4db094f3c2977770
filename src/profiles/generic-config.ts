import { z } from 'zod';
import { isJsonPath } from './json-path.ts';

/**
 * Settings of the `generic` profile (scenario field `target.generic`): every endpoint shape
 * comes from here. docs/profiles.md has the reference and two worked examples; paths use
 * the selector syntax of `json-path.ts` (`$.data.id`, `$.files[*].id`).
 */

const jsonPath = (what: string) =>
  z
    .string()
    .refine(isJsonPath, {
      message: 'not a JSON path: write it like $.data.id, $.items[0] or $.files[*].id',
    })
    .describe(what);

const template = (what: string) =>
  z
    .string()
    .startsWith('/', { message: 'must start with "/" (a path on the target URL)' })
    .refine((value) => value.includes('{id}'), { message: 'must contain "{id}"' })
    .describe(what);

const values = (what: string, defaults: string[]) =>
  z.array(z.string()).default(defaults).describe(`${what} Compared case-insensitively.`);

/** How an upload is sent and where the job ids are in its answer. */
export const genericSubmitSchema = z
  .strictObject({
    /** @default 'POST' */
    method: z.enum(['POST', 'PUT']).default('POST').describe('HTTP method of the upload.'),
    /** Required: e.g. `/tasks`. */
    path: z
      .string()
      .startsWith('/', { message: 'must start with "/" (a path on the target URL)' })
      .describe('Path the multipart upload is sent to, e.g. /tasks.'),
    /** @default 'file' */
    fileField: z.string().min(1).default('file').describe('Form field of each file.'),
    /** @default {} */
    fields: z
      .record(z.string(), z.string())
      .default({})
      .describe('Extra form fields sent with every upload, e.g. {"lang": "eng"}.'),
    /** @default '$.id' */
    jobIdPath: jsonPath(
      'Where the job id is in the upload answer; select one id per file with [*] ' +
        '(e.g. $.request_ids[*]).',
    ).default('$.id'),
  })
  .describe('How uploads are sent and where the answer puts the job ids.');

/** How a job's state is read, and which values mean what. */
export const genericStatusSchema = z
  .strictObject({
    /** Required: e.g. `/tasks/{id}`. */
    pathTemplate: template('Status URL of one job; {id} is replaced by the job id.'),
    /** Unset: any 2xx answer not listed in `pendingStatusCodes` means done. */
    statePath: jsonPath('Where the job state is in the status answer, e.g. $.state.').optional(),
    /** @default [202] */
    pendingStatusCodes: z
      .array(z.number().int().min(100).max(599))
      .default([202])
      .describe('HTTP statuses that mean "not finished yet" (404 is handled on its own).'),
    queuedValues: values('States meaning waiting in the queue.', ['queued', 'pending']),
    processingValues: values('States meaning being processed.', [
      'processing',
      'started',
      'running',
    ]),
    doneValues: values('States meaning finished with a result.', [
      'completed',
      'done',
      'success',
      'succeeded',
    ]),
    failedValues: values('States meaning the job failed.', ['error', 'failed', 'failure']),
    unknownValues: values('States meaning the service does not know the job (lost).', ['unknown']),
    /** Unset: the result fields are read from the status answer. */
    resultPathTemplate: template(
      'Where the result is fetched once the state is done; unset: the status answer holds it.',
    ).optional(),
  })
  .describe('How a job is polled and what its state means.');

/** Where the result fields are, in the status answer or the fetched result. */
export const genericResultSchema = z
  .strictObject({
    /** @default '$.text' */
    textPath: jsonPath('Recognised text.').default('$.text'),
    confidencePath: jsonPath('Confidence, a number.').optional(),
    processingTimePath: jsonPath('Processing time measured by the service.').optional(),
    /** @default 's' */
    processingTimeUnit: z
      .enum(['s', 'ms'])
      .default('s')
      .describe('Unit of the processing time: seconds or milliseconds.'),
    enqueuedAtPath: jsonPath('Server time the job was queued (ISO 8601 or epoch s/ms).').optional(),
    startedAtPath: jsonPath('Server time processing started.').optional(),
    finishedAtPath: jsonPath('Server time processing finished.').optional(),
    /** @default '$.error' */
    errorPath: jsonPath('Error message of a failed job.').default('$.error'),
  })
  .describe('Where the result text, processing time and server timestamps are.');

/** Where the queue counters are; the whole block is optional. */
export const genericQueueSchema = z
  .strictObject({
    path: z.string().startsWith('/').describe('Queue status URL, e.g. /queue.'),
    pendingPath: jsonPath('Jobs waiting.').optional(),
    processingPath: jsonPath('Jobs being processed.').optional(),
    completedPath: jsonPath('Jobs finished.').optional(),
    errorsPath: jsonPath('Jobs failed.').optional(),
  })
  .describe('Where the service reports its queue; unset: no queue sampling.');

export const genericProfileSchema = z
  .strictObject({
    submit: genericSubmitSchema,
    status: genericStatusSchema,
    result: genericResultSchema.default(() => genericResultSchema.parse({})),
    queue: genericQueueSchema.optional(),
  })
  .describe('Settings of the `generic` profile (docs/profiles.md).');

/** Parsed settings, defaults applied. */
export type GenericProfileConfig = z.output<typeof genericProfileSchema>;
/** Settings as written in a scenario. */
export type GenericProfileInput = z.input<typeof genericProfileSchema>;
