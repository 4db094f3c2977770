import { createWriteStream, existsSync, type WriteStream } from 'node:fs';
import type { Scenario } from '../scenario/schema.ts';
import type { Profile, ProfileContext } from '../profiles/profile.ts';
import type { DocumentPicker } from '../load/documents.ts';
import { runEngine } from '../load/engine.ts';
import { TrialCollector, type AccuracySummariser } from '../record/collector.ts';
import type { Caveat, JobRecord, Observations, TrialResult } from '../record/run-file.ts';
import { characterErrorRate, summariseAccuracy, wordErrorRate } from '../accuracy/index.ts';
import { startObservation } from '../observe/index.ts';
import { trialCaveats } from './caveats.ts';
import { withUniqueBytes } from '../load/upload-body.ts';

export interface TrialInput {
  index: number;
  scenario: Scenario;
  profile: Profile;
  uploadContext: ProfileContext;
  pollContext: ProfileContext;
  picker: DocumentPicker;
  random: () => number;
  signal: AbortSignal;
  /** Appends one line per job to jobs.ndjson. */
  jobsLog: WriteStream;
  /** What to watch besides the queue endpoint (the built-in target's PID and folders). */
  watch: { pids: number[]; folders: string[]; resultsFolder: string | null };
  onProgress?: (collector: TrialCollector, elapsedMs: number) => void;
  /** Called once when jobs keep failing with refused connections: the target is gone. */
  onTargetGone?: () => void;
  /** Every job of the trial, for the run-level summary. */
  onJob?: (record: JobRecord, text: string | null, truth: string | null, atMs: number) => void;
}

const summarise: AccuracySummariser = (jobs) => summariseAccuracy(jobs);

/** Consecutive refused connections after which the target is taken for dead. */
const REFUSED_STREAK_LIMIT = 10;

/** Runs one trial with observation around it and returns its result. */
export async function runTrial(input: TrialInput): Promise<TrialResult> {
  const { scenario, signal } = input;
  const collector = new TrialCollector();
  const records: JobRecord[] = [];
  const startedAt = new Date();
  const watched = watchedFolders(scenario);
  const observation = startObservation({
    intervalMs: scenario.observe.intervalMs,
    startedAtMs: performance.now(),
    queueStatus: scenario.observe.queue ? () => input.profile.queueStatus(input.pollContext) : null,
    metricsUrl: scenario.observe.metricsPath
      ? new URL(scenario.observe.metricsPath, input.pollContext.baseUrl).toString()
      : null,
    processes:
      input.watch.pids.length + scenario.observe.processes.pids.length > 0 ||
      scenario.observe.processes.commandPattern
        ? {
            pids: [...input.watch.pids, ...scenario.observe.processes.pids],
            commandPattern: scenario.observe.processes.commandPattern,
          }
        : null,
    host: scenario.observe.host,
    folders: [...input.watch.folders, ...scenario.observe.folders],
    resultsFolder: scenario.observe.resultsFolder ?? input.watch.resultsFolder,
  });

  const progressTimer = input.onProgress
    ? setInterval(() => input.onProgress!(collector, Date.now() - startedAt.getTime()), 1000)
    : null;
  let refusedStreak = 0;
  let engine;
  let observations: Observations;
  try {
    engine = await runEngine({
      scenario,
      picker: input.picker,
      random: input.random,
      signal,
      environment: {
        profile: input.profile,
        uploadContext: input.uploadContext,
        pollContext: input.pollContext,
        poll: scenario.poll,
        uniqueBytes: scenario.uploads.uniqueBytes,
        maxRetries: scenario.uploads.maxRetries,
        trial: input.index,
        onThrottled: () => collector.throttled(),
      },
      onSubmitted: (atMs, jobs, warmup) => collector.submitted(atMs, jobs, warmup),
      onJob: (outcome, document, atMs) => {
        const record = outcome.record;
        records.push(record);
        refusedStreak = record.failureClass === 'connectionRefused' ? refusedStreak + 1 : 0;
        if (refusedStreak === REFUSED_STREAK_LIMIT) input.onTargetGone?.();
        const truth = document.entry.groundTruth;
        collector.add(record, outcome.text, truth, atMs);
        input.onJob?.(record, outcome.text, truth, atMs);
        input.jobsLog.write(`${JSON.stringify(withScore(record, outcome.text, truth))}\n`);
      },
    });
  } finally {
    if (progressTimer) clearInterval(progressTimer);
    observations = await observation.stop();
    watched.stop(observations);
  }

  const endedAt = new Date();
  const lengthSeconds = engine.lengthMs / 1000;
  const counts = collector.counts();
  const nonUniqueFormats = [
    ...new Set(
      input.picker.documents
        .filter((d) => withUniqueBytes(d.bytes.subarray(0, 64), d.entry.format) === null)
        .map((d) => d.entry.format),
    ),
  ];
  return {
    index: input.index,
    startedAt: startedAt.toISOString(),
    endedAt: endedAt.toISOString(),
    durationSeconds: lengthSeconds,
    warmupJobs: collector.warmupJobs,
    jobs: counts,
    throughput: collector.throughput({ ...engine, lengthSeconds }),
    stages: collector.stages(),
    bySizeClass: collector.sizeClasses(summarise),
    accuracy: collector.accuracy(summarise),
    generator: engine.generator,
    observations,
    caveats: [
      ...trialCaveats({
        scenario,
        counts,
        generator: engine.generator,
        records: records.filter((r) => !r.warmup),
        nonUniqueFormats,
      }),
      ...observation.caveats(),
      ...watched.caveats(),
    ],
  };
}

/**
 * The scenario's own folders (observe.folders, observe.resultsFolder): whether each existed
 * at the start, in any sample with files, or at the end of the trial. `scenario check` only
 * warns about a missing folder (the service may create it once load arrives); a folder that
 * never appeared gets a caveat, since its counts of 0 measured nothing.
 */
function watchedFolders(scenario: TrialInput['scenario']) {
  const { folders, resultsFolder } = scenario.observe;
  const paths = [...new Set([...folders, ...(resultsFolder === null ? [] : [resultsFolder])])];
  const seen = new Set(paths.filter((path) => existsSync(path)));
  const fieldOf = (path: string) =>
    folders.includes(path) ? 'observe.folders' : 'observe.resultsFolder';
  return {
    stop(observations: Observations) {
      for (const path of paths) if (existsSync(path)) seen.add(path);
      for (const series of observations.folders) {
        if (series.files.some((files) => files > 0)) seen.add(series.path);
      }
    },
    caveats(): Caveat[] {
      return paths
        .filter((path) => !seen.has(path))
        .map((path) => ({
          code: 'observe-folder-missing',
          message:
            `Watched folder ${path} (${fieldOf(path)}) did not exist during the trial: its ` +
            'counts are 0 because nothing was there to measure, not because the service ' +
            'wrote nothing. Fix the path in the scenario.',
        }));
    },
  };
}

/** The job's line in jobs.ndjson, with its accuracy when the truth is known. */
function withScore(record: JobRecord, text: string | null, truth: string | null): JobRecord {
  if (record.fate !== 'completed' || truth === null) return record;
  return {
    ...record,
    cer: characterErrorRate(truth, text ?? '').cer,
    wer: wordErrorRate(truth, text ?? '').wer,
  };
}

export function openJobsLog(path: string): WriteStream {
  return createWriteStream(path, { flags: 'a' });
}
