import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { RunFile } from '../record/run-file.ts';
import { isMap, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { OcrbenchError } from '../util/errors.ts';
import { ALL_METRIC_IDS, gateSchema, type GateFile } from './gate-schema.ts';

/**
 * Reads and strictly validates a gate file; errors name the file, line and field. A
 * scenario file is accepted too: its `gate:` section is used (defaults when it has none).
 */
export async function loadGateFile(file: string): Promise<GateFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new OcrbenchError(
      'E_GATE_FILE',
      `${file}: cannot read the gate file (${(error as NodeJS.ErrnoException).code}). ` +
        'Check the --gate path; docs/compare.md shows the format.',
    );
  }
  return parseGateText(text, file);
}

export function parseGateText(text: string, file: string): GateFile {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) {
    const first = document.errors[0];
    const { line } = lineCounter.linePos(first.pos[0]);
    throw new OcrbenchError(
      'E_GATE_FILE',
      `${file}:${line}: not valid YAML/JSON: ${first.message.split('\n')[0]}. Fix that line.`,
    );
  }
  const whole: unknown = document.toJS() ?? {};
  if (typeof whole !== 'object' || whole === null || Array.isArray(whole)) {
    throw new OcrbenchError(
      'E_GATE_FILE',
      `${file}: a gate file is a mapping (alpha, relative, increase, absolute ...); ` +
        'see docs/compare.md.',
    );
  }
  // A scenario (it has `load` and `dataset`): its `gate:` section, paths prefixed by `gate`.
  const scenario = isScenario(whole);
  const prefix = scenario ? ['gate'] : [];
  const value = scenario ? ((whole as Record<string, unknown>).gate ?? {}) : whole;
  const result = gateSchema.safeParse(value);
  if (!result.success) {
    const lines = result.error.issues.map((issue) =>
      describe(issue, file, document, lineCounter, prefix),
    );
    throw new OcrbenchError('E_GATE_FILE', lines.join('\n'));
  }
  return result.data;
}

/** A scenario file rather than a gate file: scenarios always have `load` and `dataset`. */
export function isScenario(value: object): boolean {
  return 'load' in value && 'dataset' in value;
}

function describe(
  issue: z.core.$ZodIssue,
  file: string,
  document: Document,
  lineCounter: LineCounter,
  prefix: string[],
): string {
  const path = [...prefix, ...issue.path.map(String)];
  const where = `${file}:${lineOf(document, lineCounter, path)}`;
  const field = path.length > 0 ? `field \`${path.join('.')}\`` : 'top level';
  if (issue.code === 'unrecognized_keys') {
    // The line of the first unknown key itself, not of the mapping that holds it.
    const line = keyLine(document, lineCounter, path, issue.keys[0]);
    const at = line === null ? where : `${file}:${line}`;
    const known =
      path.length === prefix.length + 1 &&
      ['relative', 'increase', 'absolute'].includes(path[prefix.length])
        ? `metric ids are: ${ALL_METRIC_IDS.join(', ')}`
        : 'see docs/compare.md for the fields';
    const removed = issue.keys.includes('jobLevelFallback') ? ` ${NO_JOB_LEVEL}` : '';
    return `${at}: ${field}: unknown key(s) ${issue.keys.join(', ')}; ${known}.${removed}`;
  }
  if (issue.code === 'invalid_key' || issue.code === 'invalid_value') {
    return `${where}: ${field}: ${issue.message}. Valid metric ids: ${ALL_METRIC_IDS.join(', ')}.`;
  }
  return `${where}: ${field}: ${issue.message}. Fix the value; docs/compare.md lists each field.`;
}

/**
 * Older docs listed a gate `jobLevelFallback` setting that the gate never honoured: it does
 * not judge relative checks on jobs of one run (they share the machine's state, so a 1-trial
 * A/A would fail often). Say what to use instead.
 */
const NO_JOB_LEVEL =
  'The gate has no jobLevelFallback: relative checks are never judged on jobs of one run; ' +
  'remove the line, and set `tooFewTrials: pass` (or run more trials) to gate single-trial ' +
  'runs on absolute limits only.';

/** Line of `key` in the mapping at `path`; null when the mapping or key is not found. */
function keyLine(
  document: Document,
  lineCounter: LineCounter,
  path: string[],
  key: string | undefined,
): number | null {
  const node = path.length === 0 ? document.contents : document.getIn(path, true);
  if (key === undefined || !isMap(node)) return null;
  const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === key);
  const range = (pair?.key as { range?: [number, number, number] } | undefined)?.range;
  return range ? lineCounter.linePos(range[0]).line : null;
}

function lineOf(document: Document, lineCounter: LineCounter, path: string[]): number {
  // The deepest node of the path that exists, so a missing field points at its parent.
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? document.contents : document.getIn(path.slice(0, depth), true);
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    if (range) return lineCounter.linePos(range[0]).line;
  }
  return 1;
}

/**
 * The gate section of the scenario a run was made with, when that file is still where the
 * run found it (relative to the current folder) and unchanged (same sha256); else null.
 */
export async function gateFromRunScenario(
  run: RunFile,
): Promise<{ file: GateFile; source: string } | null> {
  let text: string;
  try {
    text = await readFile(run.scenario.file, 'utf8');
  } catch {
    return null;
  }
  if (createHash('sha256').update(text).digest('hex') !== run.scenario.sha256) return null;
  const document = parseDocument(text, { prettyErrors: false });
  const value: unknown = document.errors.length > 0 ? null : document.toJS();
  if (typeof value !== 'object' || value === null || !('gate' in value)) return null;
  return {
    file: parseGateText(text, run.scenario.file),
    source: `the gate section of ${run.scenario.file} (the candidate's scenario)`,
  };
}
