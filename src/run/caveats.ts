import type { Scenario } from '../scenario/schema.ts';
import {
  generatorJudged,
  type Caveat,
  type GeneratorHealth,
  type JobCounts,
  type JobRecord,
} from '../record/run-file.ts';
import { impossibleTimingKind } from '../load/stage-times.ts';

/** Event-loop delay above which the generator's own timing is suspect, ms. */
const LOOP_DELAY_LIMIT_MS = 50;
/** Generator CPU above which it may be the bottleneck; 100 = one core. */
const GENERATOR_CPU_LIMIT = 85;
/** Fewer completed jobs than this make tail percentiles rest on a handful of jobs. */
const FEW_JOBS = 30;

export interface TrialFacts {
  scenario: Scenario;
  counts: JobCounts;
  generator: GeneratorHealth;
  records: JobRecord[];
  nonUniqueFormats: string[];
}

/**
 * The statistical and measurement caveats of one trial. They are data: stored in run.json
 * and printed as footnotes by every report, never only logged.
 */
export function trialCaveats(facts: TrialFacts): Caveat[] {
  const { scenario, counts, generator, records } = facts;
  const caveats: Caveat[] = [];
  const add = (code: string, message: string) => caveats.push({ code, message });

  if (scenario.load.model === 'closed') {
    add(
      'closed-loop',
      `Closed model (${scenario.load.concurrency} clients): each client waits for its job, ` +
        'so a slow or stalled service also slows the arrivals and its queueing is ' +
        'under-reported. Use an open model to measure latency at a fixed arrival rate.',
    );
  }
  const polled = records.filter((r) => r.fate === 'completed' && r.timingSource === 'poll');
  if (polled.length > 0) {
    add(
      'poll-resolution',
      `${polled.length} jobs had no server timestamps: queue wait and processing were ` +
        `observed by polling every ${scenario.poll.intervalMs}-${scenario.poll.maxIntervalMs} ms.` +
        ' Each stage counts only what a poll saw; the gap between the polls around each ' +
        `change of state (up to ${scenario.poll.maxIntervalMs} ms) is left in "other".`,
    );
  }
  const impossible = records.filter(
    (r) => r.fate === 'completed' && (r.impossibleTimings?.length ?? 0) > 0,
  );
  if (impossible.length > 0) {
    add(
      'impossible-timings',
      `${impossible.length} jobs reported impossible server timings; clamped ` +
        `(${impossibleKinds(impossible)}). Their queue wait and processing were bounded to ` +
        '[0, end-to-end]; jobs.ndjson lists what each reported under impossibleTimings.',
    );
  }
  const unmeasured = records.filter(
    (r) => r.fate === 'completed' && r.processingMs === undefined,
  ).length;
  if (unmeasured > 0) {
    add(
      'processing-unmeasured',
      `${unmeasured} completed jobs carried no usable processing time (missing or 0).`,
    );
  }
  // A run shorter than start-up plus a second is all start-up: nothing to judge.
  const judged = generatorJudged(generator);
  if (judged && generator.cpuPercent > GENERATOR_CPU_LIMIT) {
    add(
      'generator-saturated',
      `The load generator used ${generator.cpuPercent.toFixed(0)}% of a core: it may be the ` +
        'bottleneck, and its own delays are in these latencies. Lower the load, or run ' +
        'ocrbench on another machine.',
    );
  } else if (judged && generator.eventLoopDelayP99Ms > LOOP_DELAY_LIMIT_MS) {
    add(
      'generator-delayed',
      `The generator's event loop was late by up to ${generator.eventLoopDelayP99Ms.toFixed(0)}` +
        ` ms (p99) while it used only ${generator.cpuPercent.toFixed(0)}% of a core: the ` +
        'machine was busy with other work (the target on the same cores?), so timings carry ' +
        'up to that much extra delay.',
    );
  }
  if (generator.behindScheduleJobs > 0) {
    add(
      'behind-schedule',
      `${generator.behindScheduleJobs} jobs started more than 10 ms after their intended ` +
        'time; their latency is still measured from the intended time.',
    );
  }
  if (generator.cappedJobs > 0) {
    add(
      'in-flight-cap',
      `${generator.cappedJobs} arrivals waited because ${
        scenario.load.model === 'open' ? scenario.load.maxInFlight : '?'
      } jobs were already in flight: the offered rate was not sustained.`,
    );
  }
  if (counts.completed > 0 && counts.completed < FEW_JOBS) {
    add(
      'few-jobs',
      `Only ${counts.completed} completed jobs: p95 and p99 rest on one or two jobs each.`,
    );
  }
  if (counts.inFlight > 0) {
    add('incomplete', `${counts.inFlight} jobs were still in flight when the run stopped.`);
  }
  if (facts.nonUniqueFormats.length > 0 && scenario.uploads.uniqueBytes) {
    add(
      'uploads-not-unique',
      `Uploads of ${facts.nonUniqueFormats.join(', ')} files were sent unchanged (no safe way ` +
        'to make them unique): a service caching by content hash may answer from cache.',
    );
  }
  if (scenario.warmup.jobs > 0) {
    add(
      'warm-up',
      `The first ${scenario.warmup.jobs} jobs were warm-up and are excluded, also from the ` +
        'per-second throughput series, which starts at the first measured job.',
    );
  }
  return caveats;
}

/** "negative processing_time 2, stage longer than end-to-end 1": kinds with counts. */
function impossibleKinds(records: JobRecord[]): string {
  const kinds = new Map<string, number>();
  for (const record of records) {
    const seen = new Set((record.impossibleTimings ?? []).map(impossibleTimingKind));
    for (const kind of seen) kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  return [...kinds].map(([kind, count]) => `${kind} ${count}`).join(', ');
}
