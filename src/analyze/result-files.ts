import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { mean, quantile } from 'simple-statistics';
import type { ResultFilesSummary } from '../record/run-file.ts';
import { OcrbenchError } from '../util/errors.ts';
import { debug } from '../util/log.ts';

/** The names the service gives its result files: one per job, or one per batch. */
export const RESULT_FILE_PATTERN = /^resultados_(ocr|BATCH)_.+\.json$/;
/** Result files read per folder at most; a production folder may hold years of them. */
export const RESULT_FILE_CAP = 100_000;
/** Larger files are counted as malformed rather than parsed into memory, bytes. */
export const RESULT_FILE_MAX_BYTES = 64 * 1024 * 1024;

/** The summary stored in run.json, plus what could not be read. */
export interface ResultFilesAnalysis extends ResultFilesSummary {
  /** Files that were not JSON, too large, or had no recognisable result shape. */
  malformed: number;
  /** Matching files left out because they were older than `sinceEpochMs`. */
  older: number;
  /** True when the folder held more result files than RESULT_FILE_CAP. */
  capped: boolean;
}

export interface ReadResultFilesOptions {
  /** Only files modified at or after this time (ms since the Unix epoch) are read. */
  sinceEpochMs?: number;
}

/** `processing_time` in seconds; null when missing, zero, negative or not a number. */
function processingSeconds(entry: unknown): number | null {
  if (typeof entry !== 'object' || entry === null) return null;
  const record = entry as Record<string, unknown>;
  const stats = record.extraction_stats as Record<string, unknown> | undefined;
  const raw = record.processing_time ?? stats?.processing_time;
  const value = typeof raw === 'string' ? Number(raw) : raw;
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : null;
}

/** The entries of one parsed file, or null when its shape is not a result file's. */
export function resultEntries(name: string, parsed: unknown): unknown[] | null {
  if (name.startsWith('resultados_BATCH_')) {
    if (Array.isArray(parsed)) return parsed;
    const results = (parsed as Record<string, unknown> | null)?.results;
    return Array.isArray(results) ? results : null;
  }
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? [parsed] : null;
}

/**
 * Reads the service's result files in one folder (not recursive) and summarises their
 * per-file `processing_time` (seconds). Never throws: a missing folder gives zero files and
 * a broken file is counted as malformed.
 */
export async function readResultFiles(
  folder: string,
  options: ReadResultFilesOptions = {},
): Promise<ResultFilesAnalysis> {
  const analysis: ResultFilesAnalysis = {
    folder: resolve(folder),
    files: 0,
    entries: 0,
    unmeasured: 0,
    processingSeconds: null,
    malformed: 0,
    older: 0,
    capped: false,
  };
  let names: string[];
  try {
    names = (await readdir(folder)).filter((name) => RESULT_FILE_PATTERN.test(name)).sort();
  } catch (error) {
    debug('result files: cannot list %s: %s', folder, String(error));
    return analysis;
  }
  if (names.length > RESULT_FILE_CAP) {
    analysis.capped = true;
    names = names.slice(0, RESULT_FILE_CAP);
  }

  const seconds: number[] = [];
  for (const name of names) {
    const path = join(folder, name);
    let parsed: unknown;
    try {
      const info = await stat(path);
      if (options.sinceEpochMs !== undefined && info.mtimeMs < options.sinceEpochMs) {
        analysis.older++;
        continue;
      }
      analysis.files++;
      if (info.size > RESULT_FILE_MAX_BYTES) throw new Error(`larger than the read limit`);
      parsed = JSON.parse(await readFile(path, 'utf8'));
    } catch (error) {
      debug('result files: %s unreadable: %s', name, String(error));
      analysis.malformed++;
      continue;
    }
    const entries = resultEntries(name, parsed);
    if (!entries) {
      analysis.malformed++;
      continue;
    }
    for (const entry of entries) {
      analysis.entries++;
      const value = processingSeconds(entry);
      if (value === null) analysis.unmeasured++;
      else seconds.push(value);
    }
  }

  if (seconds.length > 0) {
    const [p50, p90, p99] = quantile(seconds, [0.5, 0.9, 0.99]);
    analysis.processingSeconds = {
      p50,
      p90,
      p99,
      max: Math.max(...seconds),
      mean: mean(seconds),
    };
  }
  return analysis;
}

/**
 * For `ocrbench diagnose --results <folder>`: analyses a results folder alone (for example
 * the production one) and returns the summary and a Markdown rendering of it.
 */
export async function analyseResultsFolder(
  folder: string,
): Promise<{ analysis: ResultFilesAnalysis; markdown: string }> {
  const isFolder = await stat(folder).then(
    (info) => info.isDirectory(),
    () => false,
  );
  if (!isFolder) {
    throw new OcrbenchError(
      'E_USAGE',
      `--results ${folder}: not a readable folder. Name the folder where the service ` +
        'writes resultados_ocr_*.json and resultados_BATCH_*.json.',
    );
  }
  const analysis = await readResultFiles(folder);
  return { analysis, markdown: renderResultFilesMarkdown(analysis) };
}

const seconds3 = (value: number) => `${value.toFixed(3)} s`;

export function renderResultFilesMarkdown(analysis: ResultFilesAnalysis): string {
  const lines = [
    `# Result files in ${analysis.folder}`,
    '',
    `- Files read: ${analysis.files} (malformed: ${analysis.malformed})` +
      (analysis.capped ? `, stopped at the cap of ${RESULT_FILE_CAP}` : ''),
    `- Entries: ${analysis.entries}; without a measured processing_time: ` +
      `${analysis.unmeasured}`,
  ];
  const stats = analysis.processingSeconds;
  if (stats) {
    lines.push(
      '',
      '| processing_time | p50 | p90 | p99 | max | mean |',
      '|---|---|---|---|---|---|',
      `| seconds | ${[stats.p50, stats.p90, stats.p99, stats.max, stats.mean]
        .map(seconds3)
        .join(' | ')} |`,
    );
  } else {
    lines.push('', 'No entry had a measured processing_time.');
  }
  return `${lines.join('\n')}\n`;
}
