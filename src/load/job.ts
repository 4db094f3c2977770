import type { JobHandle, JobResult, Profile, ProfileContext } from '../profiles/profile.ts';
import type { PollPolicy } from '../scenario/schema.ts';
import type { FailureClass, JobRecord, StartDelayCause } from '../record/run-file.ts';
import type { LoadedDocument } from './documents.ts';
import { bodyOf, withUniqueBytes, type UploadBody } from './upload-body.ts';
import { abortableSleep } from './sleep.ts';
import { stageTimes, type PollObservation } from './stage-times.ts';

/** What a job needs from the engine. Clock: ms since the trial start (`now()`). */
export interface JobEnvironment {
  profile: Profile;
  uploadContext: ProfileContext;
  pollContext: ProfileContext;
  poll: PollPolicy;
  uniqueBytes: boolean;
  maxRetries: number;
  trial: number;
  now: () => number;
  signal: AbortSignal;
  /** Called for every 429 answer honoured. */
  onThrottled: () => void;
}

/** The result text of a completed job, kept only until it is scored. */
export interface JobOutcome {
  record: JobRecord;
  text: string | null;
}

/**
 * A job's start and the wait before its request, ms on the trial clock. The start is the
 * intended time, or the send if a timer fired a little early: no stage is ever negative.
 */
export function jobStart(intendedMs: number, sentMs: number) {
  const startMs = Math.min(intendedMs, sentMs);
  return { startMs, startDelayMs: sentMs - startMs };
}

/**
 * Runs one upload request carrying one or more documents, then follows each job to its
 * fate. Every document ends in exactly one record. End-to-end is measured from the job's
 * start (`intendedMs`, see jobStart), so time spent behind ocrbench's in-flight cap, a late
 * generator or a stalled server counts (no coordinated omission); the wait before the
 * request left is its own stage, `startDelayMs`, so it is never blamed on the upload.
 */
export async function runUpload(
  environment: JobEnvironment,
  documents: LoadedDocument[],
  intendedMs: number,
  warmup: boolean,
  /** Why the request leaves late, when the engine knows (open model). */
  cause?: StartDelayCause,
): Promise<JobOutcome[]> {
  const sentMs = environment.now();
  const { startMs, startDelayMs } = jobStart(intendedMs, sentMs);
  const base = documents.map((document) => ({
    ...baseRecord(environment, document, startMs, warmup),
    startDelayMs,
    ...(cause ? { startDelayCause: cause } : {}),
  }));
  const files = documents.map((document) => ({
    name: document.entry.file.split('/').pop() ?? 'upload',
    contentType: document.contentType,
    body: uploadBody(document, environment.uniqueBytes),
  }));

  let attempt = 0;
  for (;;) {
    if (environment.signal.aborted) return base.map((record) => inFlight(record));
    const outcome = await environment.profile.submit(environment.uploadContext, files);
    const uploadDoneMs = environment.now();
    if (outcome.kind === 'throttled' && attempt < environment.maxRetries) {
      attempt++;
      environment.onThrottled();
      const waitMs = Math.min(outcome.retryAfterMs, environment.poll.maxWaitSeconds * 1000);
      if (!(await abortableSleep(waitMs, environment.signal))) {
        return base.map((record) => inFlight(record));
      }
      continue;
    }
    // Request sent -> answered, retries after 429/503 included: the service's own time.
    const uploadMs = Math.max(0, uploadDoneMs - sentMs);
    if (outcome.kind === 'throttled') {
      environment.onThrottled();
      return base.map((record) =>
        failed({ ...record, uploadMs }, 'http429', `still throttled after ${attempt} retries`),
      );
    }
    if (outcome.kind === 'failed') {
      return base.map((record) =>
        failed({ ...record, uploadMs }, outcome.failureClass, outcome.error),
      );
    }
    if (outcome.kind === 'completed') {
      // sync: the answer is the result; upload, queue and processing share one request.
      return base.map((record, index) =>
        completedRecord(record, outcome.results[index] ?? null, {
          requestMs: uploadMs,
          receivedMs: uploadDoneMs,
          resultFetchMs: 0,
          poll: null,
        }),
      );
    }
    if (outcome.handles.length !== documents.length) {
      return base.map((record) =>
        failed(
          { ...record, uploadMs },
          'malformedResponse',
          `the service returned ${outcome.handles.length} job ids for ${documents.length} files`,
        ),
      );
    }
    return Promise.all(
      outcome.handles.map((handle, index) =>
        followJob(
          environment,
          { ...base[index], uploadMs, jobId: handle.jobId },
          handle,
          uploadDoneMs,
        ),
      ),
    );
  }
}

function uploadBody(document: LoadedDocument, unique: boolean): UploadBody {
  if (unique) {
    const body = withUniqueBytes(document.bytes, document.entry.format);
    if (body) return body;
  }
  return bodyOf([document.bytes]);
}

/** Polls one job until it completes, fails, times out or is lost. */
async function followJob(
  environment: JobEnvironment,
  record: JobRecord,
  handle: JobHandle,
  uploadDoneMs: number,
): Promise<JobOutcome> {
  const { poll, now, signal } = environment;
  const deadlineMs = uploadDoneMs + poll.maxWaitSeconds * 1000;
  let intervalMs = poll.intervalMs;
  let notFoundStreak = 0;
  const seen: PollObservation = {
    uploadDoneMs,
    lastQueuedAtMs: null,
    firstProcessingAtMs: null,
    lastProcessingAtMs: null,
    lastPendingAtMs: null,
    doneAtMs: 0,
  };
  for (;;) {
    if (signal.aborted) return inFlight(record);
    const askedMs = now();
    const outcome = await environment.profile.poll(environment.pollContext, handle);
    const answeredMs = now();
    if (outcome.kind === 'done') {
      return completedRecord(record, outcome.result, {
        requestMs: record.uploadMs ?? 0,
        receivedMs: answeredMs,
        resultFetchMs: answeredMs - askedMs,
        poll: { ...seen, doneAtMs: askedMs },
      });
    }
    if (outcome.kind === 'jobFailed') return failed(record, 'jobError', outcome.error);
    if (outcome.kind === 'notFound') {
      notFoundStreak++;
      if (notFoundStreak >= poll.lostAfterPolls) {
        return {
          record: { ...record, fate: 'lost', error: 'the service no longer knows this job' },
          text: null,
        };
      }
    } else {
      notFoundStreak = 0;
    }
    if (outcome.kind === 'pending') {
      seen.lastPendingAtMs = askedMs;
      if (outcome.state === 'queued') seen.lastQueuedAtMs = askedMs;
      if (outcome.state === 'processing') {
        seen.firstProcessingAtMs ??= askedMs;
        seen.lastProcessingAtMs = askedMs;
      }
    }
    let waitMs = intervalMs;
    if (outcome.kind === 'throttled') {
      environment.onThrottled();
      waitMs = Math.max(waitMs, outcome.retryAfterMs);
    }
    // A failed poll request is not a failed job: the job may still finish. Keep polling
    // until the deadline, then say why it timed out.
    const lastError = outcome.kind === 'requestFailed' ? outcome.error : undefined;
    if (answeredMs + waitMs > deadlineMs) {
      return {
        record: {
          ...record,
          fate: 'timedOut',
          error:
            `no result within ${poll.maxWaitSeconds} s` +
            (lastError ? ` (last poll: ${lastError})` : ''),
        },
        text: null,
      };
    }
    if (!(await abortableSleep(waitMs, signal))) return inFlight(record);
    intervalMs = Math.min(intervalMs * poll.backoff, poll.maxIntervalMs);
  }
}

interface Completion {
  /** Request sent -> upload answered, ms. */
  requestMs: number;
  /** When the result was in hand, ms since the trial start. */
  receivedMs: number;
  resultFetchMs: number;
  /** What the polls saw; null when the upload's answer was the result (sync). */
  poll: PollObservation | null;
}

function completedRecord(
  record: JobRecord,
  result: JobResult | null,
  completion: Completion,
): JobOutcome {
  const endToEndMs = Math.max(0, completion.receivedMs - record.scheduledAtMs);
  const times = stageTimes({
    result,
    requestMs: completion.requestMs,
    endToEndMs,
    poll: completion.poll,
  });
  const done: JobRecord = {
    ...record,
    fate: 'completed',
    ...times,
    resultFetchMs: completion.resultFetchMs,
    endToEndMs,
  };
  // Fields of the wrong type were read as absent; the note says which (a run caveat counts).
  if (result?.malformedFields?.length) done.malformedFields = result.malformedFields;
  return { record: done, text: result?.text ?? null };
}

function baseRecord(
  environment: JobEnvironment,
  document: LoadedDocument,
  scheduledAtMs: number,
  warmup: boolean,
): JobRecord {
  return {
    trial: environment.trial,
    jobId: null,
    file: document.entry.file,
    sizeClass: document.entry.sizeClass,
    bytes: document.entry.bytes,
    fate: 'inFlight',
    warmup,
    scheduledAtMs,
  };
}

function inFlight(record: JobRecord): JobOutcome {
  return { record: { ...record, fate: 'inFlight' }, text: null };
}

function failed(record: JobRecord, failureClass: FailureClass, error: string): JobOutcome {
  return { record: { ...record, fate: 'failed', failureClass, error }, text: null };
}
