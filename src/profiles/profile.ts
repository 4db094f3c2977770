import type { Dispatcher } from 'undici';
import type { FailureClass } from '../record/run-file.ts';
import type { UploadBody } from '../load/upload-body.ts';

/**
 * A profile is the only code that knows a service's endpoint shapes. The load engine asks
 * it to submit uploads, to poll a job, and to read the queue; it never builds a URL itself.
 */
export interface ProfileContext {
  baseUrl: URL;
  dispatcher: Dispatcher;
  headers: Record<string, string>;
  /** Per-request timeout in ms. */
  requestTimeoutMs: number;
}

/** One file of an upload request. */
export interface UploadFile {
  name: string;
  contentType: string;
  body: UploadBody;
}

export type SubmitOutcome =
  | {
      kind: 'accepted';
      /** One handle per uploaded file, in order. Opaque to the engine. */
      handles: JobHandle[];
    }
  | {
      kind: 'completed';
      /** `sync` profiles: the upload answered with the results, one per file. */
      results: JobResult[];
    }
  | { kind: 'throttled'; retryAfterMs: number; status: number }
  | { kind: 'failed'; failureClass: FailureClass; error: string; status?: number };

export interface JobHandle {
  /** The service's id for this job, reported in the job log. */
  jobId: string;
  /** Whatever else the profile needs to poll (batch id, index in batch ...). */
  [key: string]: unknown;
}

/** What the service said about a finished job. */
export interface JobResult {
  text: string | null;
  confidence: number | null;
  /**
   * `processing_time` as the service reports it, converted to ms; null when absent or 0.
   * Negative values are kept as reported: the engine clamps and counts them.
   */
  processingMs: number | null;
  /** Server clock, ms since the Unix epoch, when the service recorded them. */
  enqueuedAtMs: number | null;
  startedAtMs: number | null;
  finishedAtMs: number | null;
  /**
   * Fields present in the answer but of the wrong type (text not a string, a time that is
   * not a number or a date), named as the service spells them; read as absent above.
   */
  malformedFields?: string[];
  raw: unknown;
}

export type PollOutcome =
  | { kind: 'pending'; state: 'queued' | 'processing' | 'unknown' }
  | { kind: 'done'; result: JobResult }
  | { kind: 'jobFailed'; error: string; result: JobResult | null }
  /** The service says it does not know this job (it was accepted earlier). */
  | { kind: 'notFound' }
  | { kind: 'throttled'; retryAfterMs: number }
  | { kind: 'requestFailed'; failureClass: FailureClass; error: string; status?: number };

export interface QueueStatus {
  pending: number;
  processing: number;
  completed: number;
  errors: number;
}

export interface Profile {
  name: string;
  /** Files per upload request this profile sends (ocrlotes-batch sends several). */
  submit(context: ProfileContext, files: UploadFile[]): Promise<SubmitOutcome>;
  poll(context: ProfileContext, handle: JobHandle): Promise<PollOutcome>;
  /** Null when the service has no queue endpoint. */
  queueStatus(context: ProfileContext): Promise<QueueStatus | null>;
  /** True when `JobResult` timestamps come from the server (no poll-resolution caveat). */
  readonly serverTimestamps: boolean;
}
