import { join } from 'node:path';
import type { RunFile } from '../record/run-file.ts';
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic-write.ts';
import { markdownSummary } from '../report/run-summary.ts';
import { lastErrors, type LastErrors } from '../analyze/last-errors.ts';
import { diagnose, renderDiagnosisMarkdown } from '../analyze/diagnosis.ts';
import { readJobRecords } from '../analyze/diagnose-run.ts';

export interface WrittenOutputs {
  /** The diagnosis in one line (where the largest delay is). */
  headline: string;
  /** The commonest last errors of failed and timed-out jobs, from jobs.ndjson. */
  errors: LastErrors;
}

/**
 * Writes run.json, summary.md and diagnosis.md, each atomically. jobs.ndjson is read once
 * (already complete): the diagnosis and the summary's last errors both come from it.
 */
export async function writeRunOutputs(runDir: string, run: RunFile): Promise<WrittenOutputs> {
  await writeJsonAtomic(join(runDir, 'run.json'), run);
  const { jobs } = await readJobRecords(join(runDir, run.jobsLog));
  const errors = lastErrors(jobs);
  await writeFileAtomic(join(runDir, 'summary.md'), markdownSummary(run, errors));
  const diagnosis = diagnose(run, jobs);
  await writeFileAtomic(join(runDir, 'diagnosis.md'), renderDiagnosisMarkdown(diagnosis, run));
  return { headline: diagnosis.headline, errors };
}
