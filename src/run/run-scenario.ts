import { mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Pool } from 'undici';
import { loadScenario } from '../scenario/load-scenario.ts';
import type { Scenario } from '../scenario/schema.ts';
import { getProfile } from '../profiles/index.ts';
import type { ProfileContext } from '../profiles/profile.ts';
import { readManifest, MANIFEST_NAME } from '../dataset/manifest.ts';
import { loadDocuments } from '../load/documents.ts';
import { seededRandom } from '../util/random.ts';
import type { RunFile, TrialResult } from '../record/run-file.ts';
import { OcrbenchError } from '../util/errors.ts';
import { debug } from '../util/log.ts';
import { runTrial, openJobsLog } from './trial.ts';
import { startRunTarget, type RunTarget } from './run-target.ts';
import { buildRunFile } from './run-file-builder.ts';
import { writeRunOutputs } from './write-outputs.ts';
import type { TrialCollector } from '../record/collector.ts';

export interface RunOptions {
  scenarioFile: string;
  /** Folder that receives `<run-id>/`. @default 'reports' */
  reportsDir?: string;
  runId?: string;
  /** Overrides the scenario's `trials`. */
  trials?: number;
  /** Overrides `target.url`. */
  targetUrl?: string;
  /** Overrides `target.builtin.faults`. */
  faults?: string[];
  /** Progress line callback (the CLI prints it on stderr when it is a TTY). */
  onProgress?: (line: string) => void;
  /** Aborting stops the run early; what was measured is still written. */
  signal?: AbortSignal;
}

export interface RunOutcome {
  runDir: string;
  run: RunFile;
  /** The diagnosis in one line (where the largest delay is). */
  headline: string;
}

/**
 * The run pipeline: scenario -> (dataset, target) -> trials of load with observation ->
 * run.json, jobs.ndjson, summary.md, diagnosis.md. Always writes what it measured, also
 * when stopped early or when the target dies.
 */
export async function runScenario(options: RunOptions): Promise<RunOutcome> {
  const loaded = await loadScenario(options.scenarioFile);
  const scenario = applyOverrides(loaded.scenario, options);
  const datasetDir = resolve(loaded.baseDir, scenario.dataset.path);
  await ensureDataset(datasetDir, scenario, options.scenarioFile);
  const manifest = await readManifest(datasetDir);
  const random = seededRandom(scenario.seed);
  const picker = await loadDocuments(
    manifest,
    datasetDir,
    scenario.mix,
    random,
    options.scenarioFile,
  );

  const runId = options.runId ?? defaultRunId(scenario.name);
  const runDir = resolve(options.reportsDir ?? 'reports', runId);
  await mkdir(runDir, { recursive: true });

  const stop = new AbortController();
  let stopReason: RunFile['stopReason'] = 'finished';
  const onExternalAbort = () => {
    stopReason = 'interrupted';
    stop.abort();
  };
  options.signal?.addEventListener('abort', onExternalAbort, { once: true });

  const target: RunTarget = await startRunTarget(scenario, () => {
    if (!stop.signal.aborted) {
      stopReason = 'targetDied';
      stop.abort();
    }
  });
  const profile = getProfile(scenario.target.profile, scenario.target);
  const baseUrl = new URL(target.url);
  // Uploads and polls on separate pools, so large uploads never delay a poll's answer.
  const uploadPool = new Pool(baseUrl.origin, { connections: scenario.target.connections });
  const pollPool = new Pool(baseUrl.origin, { connections: 16 });
  const context = (dispatcher: Pool): ProfileContext => ({
    baseUrl,
    dispatcher,
    headers: scenario.target.headers,
    requestTimeoutMs: scenario.target.requestTimeoutMs,
  });

  const startedAt = new Date();
  const trials: TrialResult[] = [];
  const jobsLog = openJobsLog(join(runDir, 'jobs.ndjson'));
  let failure: unknown = null;
  try {
    for (let index = 0; index < scenario.trials && !stop.signal.aborted; index++) {
      debug('trial %d of %d', index + 1, scenario.trials);
      trials.push(
        await runTrial({
          index,
          scenario,
          profile,
          uploadContext: context(uploadPool),
          pollContext: context(pollPool),
          picker,
          random,
          signal: stop.signal,
          jobsLog,
          watch: target.watch,
          onTargetGone: () => {
            if (!stop.signal.aborted) {
              stopReason = 'targetDied';
              stop.abort();
            }
          },
          onProgress: options.onProgress
            ? (collector, elapsedMs) =>
                options.onProgress!(progressLine(index, scenario.trials, collector, elapsedMs))
            : undefined,
        }),
      );
    }
  } catch (error) {
    failure = error;
    stopReason = 'error';
  } finally {
    options.signal?.removeEventListener('abort', onExternalAbort);
    await new Promise<void>((done) => jobsLog.end(done));
    await Promise.allSettled([uploadPool.close(), pollPool.close()]);
    await target.stop();
  }

  const run = buildRunFile({
    id: runId,
    scenario,
    scenarioFile: options.scenarioFile,
    scenarioSha256: loaded.sha256,
    target: { url: target.url, profile: scenario.target.profile, builtin: target.builtin },
    startedAt,
    endedAt: new Date(),
    stopReason,
    trials,
  });
  const headline = await writeRunOutputs(runDir, run);
  if (failure) throw failure;
  return { runDir, run, headline };
}

function applyOverrides(scenario: Scenario, options: RunOptions): Scenario {
  const copy = structuredClone(scenario);
  if (options.trials !== undefined) copy.trials = options.trials;
  if (options.targetUrl !== undefined) copy.target.url = options.targetUrl;
  if (options.faults !== undefined) {
    copy.target.builtin.faults = options.faults as Scenario['target']['builtin']['faults'];
  }
  return copy;
}

async function ensureDataset(folder: string, scenario: Scenario, scenarioFile: string) {
  if (existsSync(join(folder, MANIFEST_NAME))) return;
  if (!scenario.dataset.generate) return; // readManifest explains what to do
  process.stderr.write(`ocrbench: generating dataset in ${folder} (first run only)\n`);
  // Imported on demand: runs on an existing dataset never load the renderer.
  const { generateDataset } = await import('../dataset/generate.ts');
  try {
    await generateDataset({ ...scenario.dataset.generate, out: folder });
  } catch (error) {
    if (error instanceof OcrbenchError) {
      throw new OcrbenchError(error.code, `${scenarioFile}: dataset.generate: ${error.message}`, {
        cause: error,
      });
    }
    throw error;
  }
}

function defaultRunId(name: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..+/, '');
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  return `${stamp}-${slug || 'run'}`;
}

function progressLine(
  index: number,
  trials: number,
  collector: TrialCollector,
  elapsedMs: number,
): string {
  const counts = collector.counts();
  const p95 = collector.endToEndP95Ms();
  const problems = counts.failed + counts.timedOut + counts.lost;
  return (
    `trial ${index + 1}/${trials}  ${(elapsedMs / 1000).toFixed(0)} s  ` +
    `completed ${counts.completed}  in flight ${collector.jobsSent - collector.jobsEnded}  ` +
    `errors ${problems}  p95 ${p95 === null ? '-' : `${p95.toFixed(0)} ms`}`
  );
}
