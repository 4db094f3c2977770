import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { JobRecord, RunFile } from '../record/run-file.ts';
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic-write.ts';
import { markdownSummary } from '../report/run-summary.ts';
import { diagnose, renderDiagnosisMarkdown } from '../analyze/diagnosis.ts';

/** Writes run.json, summary.md and diagnosis.md, each atomically. */
export async function writeRunOutputs(runDir: string, run: RunFile): Promise<void> {
  await writeJsonAtomic(join(runDir, 'run.json'), run);
  await writeFileAtomic(join(runDir, 'summary.md'), markdownSummary(run));
  const jobs = await readJobs(join(runDir, run.jobsLog));
  const diagnosis = diagnose(run, jobs);
  await writeFileAtomic(join(runDir, 'diagnosis.md'), renderDiagnosisMarkdown(diagnosis, run));
}

export async function readJobs(path: string): Promise<JobRecord[]> {
  let text = '';
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as JobRecord);
}
