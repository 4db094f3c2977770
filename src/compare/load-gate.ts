import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { OcrbenchError } from '../util/errors.ts';
import { ALL_METRIC_IDS, gateSchema, type GateFile } from './gate-schema.ts';

/** Reads and strictly validates a gate file; errors name the file, line and field. */
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
  const value: unknown = document.toJS() ?? {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new OcrbenchError(
      'E_GATE_FILE',
      `${file}: a gate file is a mapping (alpha, relative, increase, absolute ...); ` +
        'see docs/compare.md.',
    );
  }
  const result = gateSchema.safeParse(value);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => describe(issue, file, document, lineCounter));
    throw new OcrbenchError('E_GATE_FILE', lines.join('\n'));
  }
  return result.data;
}

function describe(
  issue: z.core.$ZodIssue,
  file: string,
  document: Document,
  lineCounter: LineCounter,
): string {
  const path = issue.path.map(String);
  const where = `${file}:${lineOf(document, lineCounter, path)}`;
  const field = path.length > 0 ? `field \`${path.join('.')}\`` : 'top level';
  if (issue.code === 'unrecognized_keys') {
    const known =
      path.length === 1 && ['relative', 'increase', 'absolute'].includes(path[0])
        ? `metric ids are: ${ALL_METRIC_IDS.join(', ')}`
        : 'see docs/compare.md for the fields';
    return `${where}: ${field}: unknown key(s) ${issue.keys.join(', ')}; ${known}.`;
  }
  if (issue.code === 'invalid_key' || issue.code === 'invalid_value') {
    return `${where}: ${field}: ${issue.message}. Valid metric ids: ${ALL_METRIC_IDS.join(', ')}.`;
  }
  return `${where}: ${field}: ${issue.message}. Fix the value; docs/compare.md lists each field.`;
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
