import type { JobResult } from '../profiles/profile.ts';

/**
 * What the polls of one job saw. Times are the client clock (ms since the trial start);
 * a poll "sees" a state at the moment it was sent.
 */
export interface PollObservation {
  /** The upload was answered: the job was enqueued at or before this. */
  uploadDoneMs: number;
  /** Last poll that found the job queued. */
  lastQueuedAtMs: number | null;
  /** First and last polls that found it processing. */
  firstProcessingAtMs: number | null;
  lastProcessingAtMs: number | null;
  /** Last poll that found it not finished (queued, processing or state unknown). */
  lastPendingAtMs: number | null;
  /** The poll that found it done. */
  doneAtMs: number;
}

/** Stage times of a completed job, after the sanity bounds below. */
export interface StageTimes {
  uploadMs: number;
  queueWaitMs?: number;
  processingMs?: number;
  timingSource?: 'server' | 'poll';
  /** What the service reported that cannot be true, before it was clamped. */
  impossibleTimings?: string[];
}

export interface StageInput {
  result: JobResult | null;
  /** Request sent -> upload answered (for `sync`: the whole request), ms. */
  requestMs: number;
  /** Job start (intended, or sent if earlier) -> result in hand, ms. */
  endToEndMs: number;
  /** Null for `sync` answers (no polls). */
  poll: PollObservation | null;
}

/**
 * Server timestamps are whole milliseconds and its clock ticks apart from ours: an excess
 * this small is rounding, clamped without being called impossible. ms.
 */
export const TIMING_TOLERANCE_MS = 2;

const ms = (value: number) => `${Math.round(value)} ms`;

/**
 * Splits a completed job's time into the stages of the README (upload, queueWait,
 * processing; resultFetch and endToEnd are measured by the caller) and keeps them sane:
 *
 * - Server values that cannot be true (a negative `processing_time`, timestamps out of
 *   order, queue wait plus processing longer than the job took end to end on our clock)
 *   are clamped into [0, end-to-end] and listed in `impossibleTimings`, so the run can
 *   count them instead of recording nonsense.
 * - Polls bracket each change of state between two polls; only what a poll proves is
 *   attributed to a stage. Queue wait lasts at least until the last poll that saw the job
 *   queued (and, with a processing time, until the job can have started and still be
 *   unfinished at the last pending poll); processing without a server time lasts at least
 *   from the first to the last poll that saw it processing. The unresolved gaps between
 *   polls stay out of every stage: the diagnosis reports them as "other".
 * - `sync`: the request holds queue wait and processing, so upload is the request time
 *   minus what the service says those took (at least 0). Without a processing time the
 *   request cannot be split and all of it stays upload.
 */
export function stageTimes(input: StageInput): StageTimes {
  const { result, poll } = input;
  const endToEndMs = Math.max(0, input.endToEndMs);
  const problems: string[] = [];
  const enqueued = result?.enqueuedAtMs ?? null;
  const started = result?.startedAtMs ?? null;
  const finished = result?.finishedAtMs ?? null;

  if (enqueued !== null && started !== null && started < enqueued - TIMING_TOLERANCE_MS) {
    problems.push(`started_at ${ms(enqueued - started)} before enqueued_at`);
  }
  if (started !== null && finished !== null && finished < started - TIMING_TOLERANCE_MS) {
    problems.push(`finished_at ${ms(started - finished)} before started_at`);
  }

  // processing_time first; a negative one gives way to the timestamps, else to 0.
  let processing: number | null = null;
  const reported = result?.processingMs ?? null;
  if (reported !== null && Number.isFinite(reported) && reported >= 0) {
    processing = reported;
  } else {
    if (reported !== null && reported < 0) problems.push(`processing_time ${ms(reported)} < 0`);
    if (finished !== null && started !== null) processing = Math.max(0, finished - started);
    else if (reported !== null) processing = 0;
  }
  let queue = enqueued !== null && started !== null ? Math.max(0, started - enqueued) : null;
  const fromServer = queue !== null && processing !== null;

  if (processing !== null && processing > endToEndMs) {
    if (processing - endToEndMs > TIMING_TOLERANCE_MS) {
      problems.push(`processing ${ms(processing)} > end-to-end ${ms(endToEndMs)}`);
    }
    processing = endToEndMs;
  }

  if (poll && !fromServer) {
    queue ??= polledQueueWait(poll, processing);
    if (processing === null && poll.firstProcessingAtMs !== null) {
      processing = Math.max(0, (poll.lastProcessingAtMs ?? 0) - poll.firstProcessingAtMs);
    }
  }

  if (queue !== null && queue + (processing ?? 0) > endToEndMs) {
    const excess = queue + (processing ?? 0) - endToEndMs;
    if (excess > TIMING_TOLERANCE_MS) {
      problems.push(
        `queue wait ${ms(queue)} + processing ${ms(processing ?? 0)} > ` +
          `end-to-end ${ms(endToEndMs)}`,
      );
    }
    queue = Math.max(0, endToEndMs - (processing ?? 0));
  }

  const times: StageTimes = { uploadMs: Math.max(0, input.requestMs) };
  if (queue !== null) times.queueWaitMs = queue;
  if (processing !== null) times.processingMs = processing;
  if (poll) {
    times.timingSource = fromServer ? 'server' : 'poll';
  } else if (processing !== null || queue !== null) {
    times.timingSource = 'server';
    times.uploadMs = Math.max(0, input.requestMs - (processing ?? 0) - (queue ?? 0));
  }
  if (problems.length > 0) times.impossibleTimings = problems;
  return times;
}

/** The queue wait the polls prove: from the upload's answer to the latest proven start. */
function polledQueueWait(poll: PollObservation, processing: number | null): number {
  let startedNoEarlierThan = poll.uploadDoneMs;
  if (poll.lastQueuedAtMs !== null) {
    startedNoEarlierThan = Math.max(startedNoEarlierThan, poll.lastQueuedAtMs);
  }
  if (processing !== null && poll.lastPendingAtMs !== null) {
    // Unfinished at the last pending poll: it cannot have started a full processing time
    // before that.
    startedNoEarlierThan = Math.max(startedNoEarlierThan, poll.lastPendingAtMs - processing);
  }
  // Never later than a poll that already saw it processing, or found it done.
  const startedBy = Math.min(poll.firstProcessingAtMs ?? poll.doneAtMs, poll.doneAtMs);
  return Math.max(0, Math.min(startedNoEarlierThan, startedBy) - poll.uploadDoneMs);
}

/** The kind of one `impossibleTimings` entry, for counting them. */
export function impossibleTimingKind(problem: string): string {
  if (problem.startsWith('processing_time')) return 'negative processing_time';
  if (problem.includes(' before ')) return 'timestamps out of order';
  return 'stage longer than end-to-end';
}
