import type { StartDelayCause } from '../record/run-file.ts';
import { abortableSleep } from './sleep.ts';

/**
 * The two ways a phase of a trial (warm-up, then measured) starts its jobs. Clock: ms since
 * the trial start. Each returns when the phase stopped starting jobs (`submissionEndMs`)
 * after every job it started reached its fate.
 */

/** A job starting more than this after its intended time counts as behind schedule, ms. */
export const BEHIND_SCHEDULE_MS = 10;

export interface PhaseRunner {
  now: () => number;
  signal: AbortSignal;
  /**
   * Starts one upload request of this phase, intended at `intendedMs`; null when the
   * phase's job limit is reached or the run was aborted. `cause`: why it leaves late.
   */
  launch: (intendedMs: number, cause?: StartDelayCause) => Promise<void> | null;
  /** True once the phase started all the jobs it may start. */
  full: () => boolean;
}

export interface PhaseEnd {
  /**
   * When the phase stopped starting jobs: the end of its duration, the moment its job
   * limit first turned a job away, or the abort. ms since the trial start.
   */
  submissionEndMs: number;
}

/**
 * Closed model: `clients` clients each start a job, wait for its fate, repeat, until
 * `endMs` or the job limit. The caller never asks for more clients than the phase has
 * requests to send, so a huge concurrency costs nothing.
 */
export async function runClosedPhase(
  runner: PhaseRunner,
  clients: number,
  endMs: number,
): Promise<PhaseEnd> {
  let turnedAwayMs = Number.POSITIVE_INFINITY;
  const client = async () => {
    while (runner.now() < endMs) {
      const job = runner.launch(runner.now());
      if (!job) {
        // The limit (or the abort) stopped this client: submission ended here at the latest.
        turnedAwayMs = Math.min(turnedAwayMs, runner.now());
        return;
      }
      await job;
    }
  };
  await Promise.all(Array.from({ length: clients }, client));
  return { submissionEndMs: Math.min(turnedAwayMs, endMs) };
}

export interface OpenPhaseInput {
  /** Intended starts relative to `startMs`, ms, ascending. */
  arrivals: Iterable<number>;
  startMs: number;
  /** No job is intended at or after this, ms since the trial start. */
  endMs: number;
  maxInFlight: number;
  /** Counted only when set: the measured phase's late and capped arrivals. */
  counts: { behindScheduleJobs: number; cappedJobs: number } | null;
}

/**
 * Open model: each arrival starts at its intended time, whatever the service does, up to
 * `maxInFlight` jobs in flight. An arrival delayed by the cap (it waited for a free slot, or
 * fell due while an earlier one did) counts as capped; one the generator otherwise woke up
 * for more than BEHIND_SCHEDULE_MS late counts as behind schedule. The wait is never hidden:
 * the job's latency still runs from its intended time (see src/load/job.ts).
 */
export async function runOpenPhase(runner: PhaseRunner, input: OpenPhaseInput): Promise<PhaseEnd> {
  const { now, signal } = runner;
  const inFlight = new Set<Promise<void>>();
  let stopMs = input.endMs;
  let lastLaunchMs = input.startMs;
  let lastIntendedMs = input.startMs;
  /** When the last wait for a free slot under the cap ended, ms since the trial start. */
  let capFreedAtMs = Number.NEGATIVE_INFINITY;
  for (const arrivalMs of input.arrivals) {
    const intendedMs = input.startMs + arrivalMs;
    if (intendedMs >= input.endMs) break;
    lastIntendedMs = intendedMs;
    if (runner.full()) {
      // The first arrival the job limit leaves out: the schedule ran until its time.
      stopMs = intendedMs;
      break;
    }
    if (!(await abortableSleep(intendedMs - now(), signal))) {
      stopMs = now();
      break;
    }
    const lateMs = now() - intendedMs;
    // Due while the loop was held by the cap: that, not the generator, made it late.
    let heldByCap = intendedMs < capFreedAtMs;
    if (inFlight.size >= input.maxInFlight) {
      heldByCap = true;
      while (inFlight.size >= input.maxInFlight && !signal.aborted) {
        await Promise.race(inFlight);
      }
      capFreedAtMs = now();
    }
    const behind = !heldByCap && lateMs > BEHIND_SCHEDULE_MS;
    if (input.counts && heldByCap) input.counts.cappedJobs++;
    if (input.counts && behind) input.counts.behindScheduleJobs++;
    lastLaunchMs = now();
    const job = runner.launch(
      intendedMs,
      heldByCap ? 'inFlightCap' : behind ? 'behindSchedule' : undefined,
    );
    if (!job) {
      stopMs = now();
      break;
    }
    const tracked: Promise<void> = job.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  }
  await Promise.all(inFlight);
  // Arrivals that ran out before an endless end (a ramp down to 0 jobs/s) end at the last.
  if (!Number.isFinite(stopMs)) stopMs = lastIntendedMs;
  // Sends delayed by the cap stretch the window: it covers every submission.
  return { submissionEndMs: Math.max(stopMs, lastLaunchMs) };
}
