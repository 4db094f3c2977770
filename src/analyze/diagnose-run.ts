import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { JobRecord, RunFile } from '../record/run-file.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { OcrbenchError } from '../util/errors.ts';
import { debug } from '../util/log.ts';
import { diagnose, renderDiagnosisMarkdown, type Diagnosis } from './diagnosis.ts';

/** Reads and checks `<run-dir>/run.json`; anything unusable is an E_RUN_FILE error. */
export async function readRunFile(runDir: string): Promise<RunFile> {
  const path = join(runDir, 'run.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new OcrbenchError(
      'E_RUN_FILE',
      `${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)}). ` +
        'Name a folder written by `ocrbench run`, which holds run.json.',
      { cause: error },
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new OcrbenchError(
      'E_RUN_FILE',
      `${path}: not valid JSON (${(error as Error).message}). The file is damaged; ` +
        'rerun the scenario to write it again.',
      { cause: error },
    );
  }
  const problem = runFileProblem(parsed);
  if (problem) {
    throw new OcrbenchError(
      'E_RUN_FILE',
      `${path}: ${problem}. Expected a run.json of schemaVersion 1 written by ocrbench.`,
    );
  }
  return parsed as RunFile;
}

function runFileProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return 'not a JSON object';
  const run = value as Record<string, unknown>;
  if (run.schemaVersion !== 1) return `schemaVersion is ${JSON.stringify(run.schemaVersion)}`;
  if (!Array.isArray(run.trials)) return 'field trials is not an array';
  if (typeof run.summary !== 'object' || run.summary === null) return 'field summary is missing';
  if (typeof run.host !== 'object' || run.host === null) return 'field host is missing';
  return null;
}

/** Reads the job log; a missing log gives no jobs, unreadable lines are skipped and counted. */
export async function readJobRecords(path: string): Promise<{ jobs: JobRecord[]; bad: number }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return { jobs: [], bad: 0 };
  }
  const jobs: JobRecord[] = [];
  let bad = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      jobs.push(JSON.parse(line) as JobRecord);
    } catch {
      bad++; // a line cut short by a crash: the rest of the log is still good
    }
  }
  if (bad > 0) debug('diagnose: %d unreadable lines in %s', bad, path);
  return { jobs, bad };
}

/** `ocrbench diagnose <run-dir>`: writes `<run-dir>/diagnosis.md` and returns the diagnosis. */
export async function diagnoseRunFolder(
  runDir: string,
): Promise<{ diagnosis: Diagnosis; markdownPath: string; badJobLines: number }> {
  const run = await readRunFile(runDir);
  const { jobs, bad } = await readJobRecords(join(runDir, run.jobsLog || 'jobs.ndjson'));
  const diagnosis = diagnose(run, jobs);
  const markdownPath = join(runDir, 'diagnosis.md');
  await writeFileAtomic(markdownPath, renderDiagnosisMarkdown(diagnosis, run));
  return { diagnosis, markdownPath, badJobLines: bad };
}
