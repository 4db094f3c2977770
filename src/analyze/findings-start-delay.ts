import type { JobRecord, RunFile } from '../record/run-file.ts';
import { format } from './series-math.ts';

/**
 * Why measured jobs waited inside ocrbench before their upload was sent (the `startDelay`
 * stage): the open model's in-flight cap, or the generator starting them late. Counts are
 * summed over the trials; rates are the run's (submitted over the submission window).
 */
export interface StartDelayContext {
  /** Arrivals the `load.maxInFlight` cap held (they waited for a slot, or behind one). */
  cappedJobs: number;
  /** Arrivals the generator itself woke up for late. */
  behindScheduleJobs: number;
  submitted: number;
  submittedPerSecond: number;
  completedPerSecond: number;
  /** Start delay of the diagnosed jobs, ms summed: all of it, and by its cause. */
  totalMs: number;
  capMs: number;
  behindMs: number;
}

/** From run.json's counts, and the job log's per-job causes when it has them. */
export function startDelayContext(run: RunFile, jobs: JobRecord[]): StartDelayContext {
  const sum = (pick: (health: RunFile['trials'][number]['generator']) => number) =>
    run.trials.reduce((total, trial) => total + (pick(trial.generator) ?? 0), 0);
  const delay = (keep: (job: JobRecord) => boolean) =>
    jobs.filter(keep).reduce((total, job) => total + (job.startDelayMs ?? 0), 0);
  return {
    cappedJobs: sum((health) => health.cappedJobs),
    behindScheduleJobs: sum((health) => health.behindScheduleJobs),
    submitted: run.summary.jobs.submitted,
    submittedPerSecond: run.summary.throughput.submittedPerSecond,
    completedPerSecond: run.summary.throughput.completedPerSecond,
    totalMs: delay(() => true),
    capMs: delay((job) => job.startDelayCause === 'inFlightCap'),
    behindMs: delay((job) => job.startDelayCause === 'behindSchedule'),
  };
}

type Culprit = 'cap' | 'behind' | 'unknown';

/** The cause that held the most start delay; by counts when the job log has no causes. */
function culprit(context: StartDelayContext | null): Culprit {
  if (!context) return 'unknown';
  if (context.capMs + context.behindMs > 0) {
    return context.capMs >= context.behindMs ? 'cap' : 'behind';
  }
  if (context.cappedJobs > 0 && context.cappedJobs >= context.behindScheduleJobs) return 'cap';
  return context.behindScheduleJobs > 0 ? 'behind' : 'unknown';
}

/** The stage named by what caused it, for the headline and the largest-delay title. */
export function startDelayLabel(context: StartDelayContext | null): string {
  const names: Record<Culprit, string> = {
    cap: "start delay (waiting for ocrbench's in-flight cap)",
    behind: 'start delay (the load generator behind its schedule)',
    unknown: 'start delay (waiting inside ocrbench before sending)',
  };
  return names[culprit(context)];
}

export function startDelayEvidence(context: StartDelayContext | null): string[] {
  if (!context) return [];
  const evidence: string[] = [];
  const share = (ms: number) =>
    context.totalMs > 0 ? `, ${format.percent(ms / context.totalMs)} of all start delay` : '';
  if (context.cappedJobs > 0) {
    evidence.push(
      `${context.cappedJobs} of ${context.submitted} measured arrivals waited for the ` +
        `in-flight cap (load.maxInFlight) before their upload was sent${share(context.capMs)}`,
      `offered ${format.rate(context.submittedPerSecond)} jobs/s, completed ` +
        `${format.rate(context.completedPerSecond)} jobs/s`,
    );
  }
  if (context.behindScheduleJobs > 0) {
    evidence.push(
      `${context.behindScheduleJobs} of ${context.submitted} measured arrivals were started ` +
        'late by the generator itself (more than 10 ms after their intended time)' +
        share(context.behindMs),
    );
  }
  return evidence;
}

export function startDelaySuggestion(context: StartDelayContext | null): string {
  const suggestions: Record<Culprit, string> = {
    cap:
      'Jobs waited in ocrbench, not in the service: with maxInFlight jobs in flight, new ' +
      'arrivals wait for a slot because the service completes fewer jobs per second than ' +
      'offered. That is its throughput limit, not slow uploads: lower the rate to what it ' +
      'completes, or raise load.maxInFlight to see where the backlog waits in the service.',
    behind:
      'ocrbench started jobs late on its own: see the generator finding, lower the rate, ' +
      'or give ocrbench its own cores or machine.',
    unknown:
      'Jobs waited inside ocrbench before being sent: check the in-flight cap and the ' +
      'generator findings.',
  };
  return suggestions[culprit(context)];
}
