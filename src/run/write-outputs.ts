import { join } from 'node:path';
import type { RunFile } from '../record/run-file.ts';
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic-write.ts';
import { markdownSummary } from '../report/run-summary.ts';
import { diagnose, renderDiagnosisMarkdown } from '../analyze/diagnosis.ts';
import { readJobRecords } from '../analyze/diagnose-run.ts';

/** Writes run.json, summary.md and diagnosis.md, each atomically; returns the headline. */
export async function writeRunOutputs(runDir: string, run: RunFile): Promise<string> {
  await writeJsonAtomic(join(runDir, 'run.json'), run);
  await writeFileAtomic(join(runDir, 'summary.md'), markdownSummary(run));
  const { jobs } = await readJobRecords(join(runDir, run.jobsLog));
  const diagnosis = diagnose(run, jobs);
  await writeFileAtomic(join(runDir, 'diagnosis.md'), renderDiagnosisMarkdown(diagnosis, run));
  return diagnosis.headline;
}
