import type { Scenario } from '../scenario/schema.ts';
import type { Caveat, GeneratorHealth, JobCounts, JobRecord } from '../record/run-file.ts';
import { impossibleTimingKind } from '../load/stage-times.ts';
import { generatorVerdict } from '../analyze/generator-verdict.ts';
import { plural } from '../util/plural.ts';

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
      `${plural(polled.length, 'job')} had no server timestamps: queue wait and processing were ` +
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
      `${plural(impossible.length, 'job')} reported impossible server timings; clamped ` +
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
      `${plural(unmeasured, 'completed job')} carried no usable processing time (missing or 0).`,
    );
  }
  const malformed = records.filter(
    (r) => r.fate === 'completed' && (r.malformedFields?.length ?? 0) > 0,
  );
  if (malformed.length > 0) {
    add(
      'malformed-result-fields',
      `${plural(malformed.length, 'completed job')} had result fields of the wrong type, read as ` +
        `absent (${fieldCounts(malformed)}): the service's answers do not match its profile. ` +
        'jobs.ndjson names them per job under malformedFields.',
    );
  }
  // The diagnosis judges the generator by the same rule (generator-verdict.ts): saturated
  // only when ocrbench's own CPU was high; late while its CPU was low is a busy machine.
  const verdict = generatorVerdict(generator, counts.submitted);
  if (verdict.state === 'saturated') {
    add(
      'generator-saturated',
      `The load generator used ${generator.cpuPercent.toFixed(0)}% of a core: it may be the ` +
        'bottleneck, and its own delays are in these latencies. Lower the load, or run ' +
        'ocrbench on another machine.',
    );
  } else if (verdict.state === 'busy') {
    add(
      'generator-delayed',
      `ocrbench was delayed (${verdict.reasons.join('; ')}): the machine was busy with ` +
        'other work (the target on the same cores?), so timings carry up to ' +
        `${generator.eventLoopDelayP99Ms.toFixed(0)} ms (event-loop delay p99) of extra delay.`,
    );
  }
  if (generator.behindScheduleJobs > 0) {
    add(
      'behind-schedule',
      `${plural(generator.behindScheduleJobs, 'job')} started more than 10 ms after their ` +
        'intended time (not counting those the in-flight cap held); their latency is still ' +
        'measured from the intended time.',
    );
  }
  if (generator.cappedJobs > 0) {
    add(
      'in-flight-cap',
      `${plural(generator.cappedJobs, 'arrival')} waited for the in-flight cap (${
        scenario.load.model === 'open' ? scenario.load.maxInFlight : '?'
      } jobs already in flight): the offered rate was not sustained. The wait is their ` +
        'start delay, not upload time.',
    );
  }
  if (counts.completed > 0 && counts.completed < FEW_JOBS) {
    add(
      'few-jobs',
      `Only ${plural(counts.completed, 'completed job')}: ` +
        'p95 and p99 rest on one or two jobs each.',
    );
  }
  if (counts.inFlight > 0) {
    add('incomplete', `${plural(counts.inFlight, 'job')} still in flight when the run stopped.`);
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
      `The first ${scenario.warmup.jobs} jobs were warm-up: all reached their fate before ` +
        'the first measured job was sent, and they are excluded, also from the per-second ' +
        'throughput series, which starts at the first measured job.',
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

/** "text 3, processing_time 2": each malformed field with the number of jobs that had it. */
function fieldCounts(records: JobRecord[]): string {
  const fields = new Map<string, number>();
  for (const record of records) {
    for (const field of new Set(record.malformedFields)) {
      fields.set(field, (fields.get(field) ?? 0) + 1);
    }
  }
  return [...fields].map(([field, count]) => `${field} ${count}`).join(', ');
}
