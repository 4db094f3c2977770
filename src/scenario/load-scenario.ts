import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument, isMap, type Document } from 'yaml';
import type { z } from 'zod';
import { OcrbenchError } from '../util/errors.ts';
import { scenarioSchema, type Scenario } from './schema.ts';
import { objectKeysAt, suggestKey } from './schema-walk.ts';
import { resolveGenerateOptions } from '../dataset/options.ts';

/** A validated scenario with where it came from. */
export interface LoadedScenario {
  scenario: Scenario;
  file: string;
  /** Folder the scenario's relative paths are resolved against. */
  baseDir: string;
  sha256: string;
}

/** Reads a YAML or JSON scenario, validates every field, applies defaults. */
export async function loadScenario(file: string): Promise<LoadedScenario> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new OcrbenchError(
      'E_SCENARIO_FILE',
      `${file}: cannot read the scenario (${(error as NodeJS.ErrnoException).code ?? error}). ` +
        'Check the path; examples are in scenarios/.',
    );
  }
  const scenario = parseScenarioText(text, file);
  return {
    scenario,
    file,
    baseDir: dirname(resolve(file)),
    sha256: createHash('sha256').update(text).digest('hex'),
  };
}

/** Parses and validates scenario text; `file` only names the source in messages. */
export function parseScenarioText(text: string, file: string): Scenario {
  const lineCounter = new LineCounter();
  // YAML is a superset of JSON, so one parser reads both and gives line numbers for each.
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) {
    const first = document.errors[0];
    const line = lineCounter.linePos(first.pos[0]).line;
    throw new OcrbenchError(
      'E_SCENARIO_FILE',
      `${file}:${line}: not valid YAML/JSON: ${first.message.split('\n')[0]}. ` +
        'Fix the syntax at that line.',
    );
  }
  const value: unknown = document.toJS();
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new OcrbenchError(
      'E_SCENARIO_FILE',
      `${file}: a scenario is a mapping with at least name, dataset and load; ` +
        'see scenarios/smoke.yaml.',
    );
  }
  const result = scenarioSchema.safeParse(value);
  if (!result.success) {
    const messages = result.error.issues.map((issue) =>
      describeIssue(issue, file, document, lineCounter, value),
    );
    const lineOfMessage = (message: string) => Number(/:(\d+):/.exec(message)?.[1] ?? 0);
    messages.sort((a, b) => lineOfMessage(a) - lineOfMessage(b));
    throw new OcrbenchError('E_SCENARIO_FIELD', messages.join('\n'));
  }
  checkCombinations(result.data, file, document, lineCounter);
  return result.data;
}

type Issue = z.core.$ZodIssue;

function describeIssue(
  issue: Issue,
  file: string,
  document: Document,
  lineCounter: LineCounter,
  root: unknown,
): string {
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys;
    const fieldPath = [...path, keys[0]];
    const line = lineOf(document, lineCounter, fieldPath);
    const allowed = suggestKey(keys[0], objectKeysAt(scenarioSchema, root, path));
    return (
      `${file}:${line}: ${dotted(fieldPath)}: unknown field. ` +
      `Fix: remove it or correct the spelling${allowed}.`
    );
  }
  const line = lineOf(document, lineCounter, path);
  const value = valueAt(root, path);
  const found = JSON.stringify(value);
  return `${file}:${line}: ${dotted(path) || '(top level)'}: ${rule(issue)}, got ${
    found ?? 'nothing'
  }. Fix: ${fix(issue, path, value)}.`;
}

function rule(issue: Issue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected}`;
    case 'too_small':
      return `must be ${issue.inclusive === false ? '>' : '>='} ${String(issue.minimum)}`;
    case 'too_big':
      return `must be ${issue.inclusive === false ? '<' : '<='} ${String(issue.maximum)}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_union':
      return 'matches none of the allowed shapes';
    default:
      return issue.message;
  }
}

function fix(issue: Issue, path: string[], value: unknown): string {
  if (issue.code === 'invalid_type' && value === undefined) {
    return `add the required field \`${path.at(-1)}\` (see docs/scenario.md)`;
  }
  if (issue.code === 'invalid_value') return 'use one of the listed values';
  if (issue.code === 'too_small') return `use a value ${rule(issue).replace('must be ', '')}`;
  if (issue.code === 'too_big') return `use a value ${rule(issue).replace('must be ', '')}`;
  if (issue.code === 'invalid_type') return `write a ${issue.expected} here`;
  if (issue.code === 'invalid_union' && path.at(-1) === 'model') {
    return 'set `model` to `closed` or `open`';
  }
  return 'see docs/scenario.md for this field';
}

/** Rules that span fields, which the schema alone does not express. */
function checkCombinations(
  scenario: Scenario,
  file: string,
  document: Document,
  lineCounter: LineCounter,
): void {
  const problems: string[] = [];
  const at = (path: string[]) => `${file}:${lineOf(document, lineCounter, path)}: ${dotted(path)}`;
  const load = scenario.load;
  const staged = load.model === 'open' && load.stages !== undefined;
  if (load.durationSeconds === undefined && load.jobs === undefined && !staged) {
    problems.push(
      `${at(['load'])}: needs a limit. Fix: set \`durationSeconds\` or \`jobs\` (or both).`,
    );
  }
  if (load.model === 'open' && load.rate === undefined && load.stages === undefined) {
    problems.push(
      `${at(['load'])}: an open load needs an arrival rate. Fix: set \`rate\` ` +
        '(jobs/s) or `stages`.',
    );
  }
  if (scenario.dataset.generate) {
    try {
      resolveGenerateOptions({ ...scenario.dataset.generate, out: scenario.dataset.path });
    } catch (error) {
      if (!(error instanceof OcrbenchError)) throw error;
      problems.push(
        `${at(['dataset', 'generate'])}: ${error.message} ` +
          'Fix: see docs/datasets.md for the options.',
      );
    }
  }
  if (scenario.target.profile === 'generic' && scenario.target.generic === undefined) {
    problems.push(
      `${at(['target', 'profile'])}: the generic profile needs its settings. Fix: add ` +
        '`target.generic` with `submit` and `status` (docs/profiles.md has two examples).',
    );
  }
  if (scenario.target.url !== 'builtin') {
    try {
      const url = new URL(scenario.target.url);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('protocol');
    } catch {
      problems.push(
        `${at(['target', 'url'])}: ${JSON.stringify(scenario.target.url)} is not an http(s) ` +
          'URL. Fix: write e.g. http://127.0.0.1:5000, or `builtin`.',
      );
    }
  }
  if (problems.length > 0) throw new OcrbenchError('E_SCENARIO_FIELD', problems.join('\n'));
}

function lineOf(document: Document, lineCounter: LineCounter, path: string[]): number {
  // Walk up until a node with a position exists (a missing field has none: use its parent).
  for (let depth = path.length; depth >= 0; depth--) {
    const keys = path.slice(0, depth).map((key) => (/^\d+$/.test(key) ? Number(key) : key));
    const node = depth === 0 ? document.contents : document.getIn(keys, true);
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    if (range) {
      // For a mapping value, point at its key's line when the key is known.
      const parent = depth > 0 ? document.getIn(keys.slice(0, -1), true) : null;
      if (isMap(parent)) {
        const pair = parent.items.find(
          (item) => String((item.key as { value?: unknown })?.value) === String(keys.at(-1)),
        );
        const keyRange = (pair?.key as { range?: [number, number, number] } | undefined)?.range;
        if (keyRange) return lineCounter.linePos(keyRange[0]).line;
      }
      return lineCounter.linePos(range[0]).line;
    }
  }
  return 1;
}

function valueAt(root: unknown, path: string[]): unknown {
  let value: unknown = root;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function dotted(path: string[]): string {
  return path
    .map((key) => (/^\d+$/.test(key) ? `[${key}]` : key))
    .join('.')
    .replace(/\.\[/g, '[');
}
