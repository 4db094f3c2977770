import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { setMaxListeners } from 'node:events';
import { basename, join, resolve } from 'node:path';
import { Pool } from 'undici';
import { datasetProblems, loadScenario } from '../scenario/load-scenario.ts';
import type { Scenario } from '../scenario/schema.ts';
import { resolveObservePaths } from '../scenario/observe-paths.ts';
import { getProfile } from '../profiles/index.ts';
import type { ProfileContext } from '../profiles/profile.ts';
import { readManifest, MANIFEST_NAME } from '../dataset/manifest.ts';
import { loadDocuments, type DocumentPicker } from '../load/documents.ts';
import { seededRandom } from '../util/random.ts';
import type { RunFile, TrialResult } from '../record/run-file.ts';
import { OcrbenchError } from '../util/errors.ts';
import {
  assertWritableFolder,
  cannotWrite,
  fileSystemReason,
  isFileSystemError,
} from '../util/writable.ts';
import { debug } from '../util/log.ts';
import { runTrial, openJobsLog } from './trial.ts';
import { startRunTarget, type RunTarget } from './run-target.ts';
import { buildRunFile } from './run-file-builder.ts';
import { writeRunOutputs, type WrittenOutputs } from './write-outputs.ts';
import type { LastErrors } from '../analyze/last-errors.ts';
import { assertFilesPresent, assertLoadedMatch } from '../dataset/verify.ts';
import { applyOverrides, type ScenarioOverrides } from './overrides.ts';
import { checkRunId } from './run-id.ts';
import type { TrialCollector } from '../record/collector.ts';

export interface RunOptions extends ScenarioOverrides {
  scenarioFile: string;
  /** Folder that receives `<run-id>/`. @default 'reports' */
  reportsDir?: string;
  runId?: string;
  /** Replace an existing run folder of the same id (otherwise that is an error). */
  force?: boolean;
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
  /** The commonest last errors of failed and timed-out jobs (the summary shows them). */
  errors: LastErrors;
}

/**
 * The run pipeline: scenario -> (dataset, target) -> trials of load with observation ->
 * run.json, jobs.ndjson, summary.md, diagnosis.md. Always writes what it measured, also
 * when stopped early or when the target dies; a Ctrl-C before the first trial writes an
 * empty run.json marked interrupted.
 *
 * Everything that can be checked without load is checked first (scenario, flags, dataset,
 * the run folder), and the run folder is only created once the target answered, so a run
 * that could not start leaves nothing behind.
 */
export async function runScenario(options: RunOptions): Promise<RunOutcome> {
  // First: a bad id must not depend on the scenario being valid to be reported.
  if (options.runId !== undefined) checkRunId(options.runId);
  const loaded = await loadScenario(options.scenarioFile);
  const overridden = applyOverrides(loaded.scenario, options);
  const overrideCaveats = overridden.caveats;
  const scenario = resolveObservePaths(overridden.scenario, loaded.baseDir);
  const reportsDir = resolve(options.reportsDir ?? 'reports');
  await assertWritableFolder(options.reportsDir ?? 'reports', 'choose another --out');
  const runId = options.runId ?? freeRunId(reportsDir, scenario.name);
  const runDir = resolve(reportsDir, runId);
  await checkRunFolder(runDir, options);
  // Files are checked (size and sha256) below, as they are loaded: not twice.
  const datasetErrors = await datasetProblems(loaded, { files: false });
  if (datasetErrors.length > 0) {
    throw new OcrbenchError('E_SCENARIO_FIELD', datasetErrors.join('\n'));
  }

  const stop = new AbortController();
  // Every job in flight listens on the signal: many listeners are expected, not a leak.
  setMaxListeners(0, stop.signal);
  let stopReason: RunFile['stopReason'] = 'finished';
  const onExternalAbort = () => {
    stopReason = 'interrupted';
    stop.abort();
  };
  if (options.signal?.aborted) onExternalAbort();
  else options.signal?.addEventListener('abort', onExternalAbort, { once: true });

  let target: RunTarget | null = null;
  let picker: DocumentPicker | null = null;
  const random = seededRandom(scenario.seed);
  try {
    const datasetDir = resolve(loaded.baseDir, scenario.dataset.path);
    if (!stop.signal.aborted) await ensureDataset(datasetDir, scenario, options.scenarioFile);
    if (!stop.signal.aborted) {
      const manifest = await readManifest(datasetDir);
      // The files are read once, here; a file that is not what the manifest says would be
      // uploaded and scored against another file's truth, so the run refuses it (exit 2).
      await assertFilesPresent(datasetDir, manifest, scenario.mix);
      picker = await loadDocuments(manifest, datasetDir, scenario.mix, random, loaded.file);
      assertLoadedMatch(datasetDir, manifest, picker.documents);
    }
    target = await startRunTarget(
      scenario,
      () => {
        if (!stop.signal.aborted) {
          stopReason = 'targetDied';
          stop.abort();
        }
      },
      stop.signal,
    );
    // The target answered (or Ctrl-C came first): now the run folder may exist.
    await prepareRunFolder(runDir, options.force === true);
  } catch (error) {
    options.signal?.removeEventListener('abort', onExternalAbort);
    await target?.stop();
    throw error;
  }

  const startedAt = new Date();
  const trials: TrialResult[] = [];
  const jobsLog = openJobsLog(join(runDir, 'jobs.ndjson'));
  let failure: unknown = null;
  try {
    if (target && picker) {
      const profile = getProfile(scenario.target.profile, scenario.target);
      trials.push(
        ...(await runTrials(scenario, profile, target, picker, random, stop.signal, {
          jobsLog,
          onProgress: options.onProgress,
          onTargetGone: () => {
            if (!stop.signal.aborted) {
              stopReason = 'targetDied';
              stop.abort();
            }
          },
        })),
      );
    }
  } catch (error) {
    failure = error;
    stopReason = 'error';
  } finally {
    options.signal?.removeEventListener('abort', onExternalAbort);
    await new Promise<void>((done) => jobsLog.end(done));
    await target?.stop();
  }

  const run = buildRunFile({
    id: runId,
    scenario,
    scenarioFile: options.scenarioFile,
    scenarioSha256: loaded.sha256,
    target: {
      url: target?.url ?? scenario.target.url,
      profile: scenario.target.profile,
      builtin: target?.builtin ?? null,
    },
    startedAt,
    endedAt: new Date(),
    stopReason,
    trials,
    caveats: overrideCaveats,
  });
  let written: WrittenOutputs;
  try {
    written = await writeRunOutputs(runDir, run);
  } catch (error) {
    if (!isFileSystemError(error)) throw error;
    throw cannotWrite(
      runDir,
      fileSystemReason(error),
      'free space or fix permissions, then run again',
    );
  }
  if (failure) throw failure;
  return { runDir, run, ...written };
}

/** The trials of a run, one after the other, until done or stopped. */
async function runTrials(
  scenario: Scenario,
  profile: ReturnType<typeof getProfile>,
  target: RunTarget,
  picker: DocumentPicker,
  random: () => number,
  signal: AbortSignal,
  hooks: {
    jobsLog: ReturnType<typeof openJobsLog>;
    onProgress?: (line: string) => void;
    onTargetGone: () => void;
  },
): Promise<TrialResult[]> {
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
  const trials: TrialResult[] = [];
  try {
    for (let index = 0; index < scenario.trials && !signal.aborted; index++) {
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
          signal,
          jobsLog: hooks.jobsLog,
          watch: target.watch,
          onTargetGone: hooks.onTargetGone,
          onProgress: hooks.onProgress
            ? (collector, elapsedMs) =>
                hooks.onProgress!(progressLine(index, scenario.trials, collector, elapsedMs))
            : undefined,
        }),
      );
    }
  } finally {
    await Promise.allSettled([uploadPool.close(), pollPool.close()]);
  }
  return trials;
}

/**
 * A run id names one run: an existing folder of that name is refused (it would mix two runs'
 * job logs), unless `force` asks to replace it. Checked before any load is sent.
 */
async function checkRunFolder(runDir: string, options: RunOptions): Promise<void> {
  if (!existsSync(runDir)) return;
  const name = options.runId ?? basename(runDir);
  if (!options.force) {
    throw new OcrbenchError(
      'E_USAGE',
      `--run-id ${name}: ${runDir} already exists. Fix: choose another --run-id, or add ` +
        '--force to replace that run.',
    );
  }
  const info = await stat(runDir);
  const entries = info.isDirectory() ? await readdir(runDir) : null;
  const isRun =
    entries !== null &&
    (entries.length === 0 || entries.includes('run.json') || entries.includes('jobs.ndjson'));
  if (!isRun) {
    throw new OcrbenchError(
      'E_USAGE',
      `--run-id ${name}: ${runDir} exists and is not a run folder (no run.json); --force ` +
        'only replaces runs. Fix: choose another --run-id.',
    );
  }
}

/** Creates the run folder (replacing an old run with `force`), or says why it cannot. */
async function prepareRunFolder(runDir: string, force: boolean): Promise<void> {
  try {
    if (force) await rm(runDir, { recursive: true, force: true });
    await mkdir(runDir, { recursive: true });
  } catch (error) {
    if (!isFileSystemError(error)) throw error;
    throw cannotWrite(runDir, fileSystemReason(error), 'choose another --out');
  }
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

/** `<time>-<scenario name>`, with `-2`, `-3`... when runs started in the same second. */
function freeRunId(reportsDir: string, name: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..+/, '');
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  const base = `${stamp}-${slug || 'run'}`;
  let id = base;
  for (let n = 2; existsSync(join(reportsDir, id)); n++) id = `${base}-${n}`;
  return id;
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
