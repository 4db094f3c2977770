import { join } from 'node:path';
import type { Comparison } from '../compare/comparison.ts';
import type { RunFile } from '../record/run-file.ts';
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic-write.ts';
import { validationHtml } from './html/validation-html.ts';
import { validationMarkdown } from './validation-md.ts';

/** Writes comparison.json, validation.md and validation.html into `outDir`. */
export async function writeValidationReports(
  outDir: string,
  comparison: Comparison,
  baseline: RunFile,
  candidate: RunFile,
): Promise<string[]> {
  const files = {
    json: join(outDir, 'comparison.json'),
    markdown: join(outDir, 'validation.md'),
    html: join(outDir, 'validation.html'),
  };
  await writeJsonAtomic(files.json, comparison);
  await writeFileAtomic(files.markdown, validationMarkdown(comparison));
  await writeFileAtomic(files.html, validationHtml(comparison, baseline, candidate));
  return Object.values(files);
}

/** Default output folder of a comparison: next to the runs, named after both. */
export function defaultComparisonDir(reportsDir: string, comparison: Comparison): string {
  return join(reportsDir, `compare-${comparison.baseline.id}--${comparison.candidate.id}`);
}
