import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument, isMap, type Document } from 'yaml';
import type { z } from 'zod';
import { OcrbenchError } from '../util/errors.ts';
import { scenarioSchema, type Scenario } from './schema.ts';
import { objectKeysAt, suggestKey, valueAt } from './schema-walk.ts';
import { validateOneErrorPerTypo } from './typos.ts';
import { resolveGenerateOptions } from '../dataset/options.ts';
import { builtinLanguages, missingLanguages } from './builtin-languages.ts';

/** A validated scenario with where it came from. */
export interface LoadedScenario {
  scenario: Scenario;
  file: string;
  /** Folder the scenario's relative paths are resolved against. */
  baseDir: string;
  sha256: string;
  /** "file:line: field.path" of a field, for messages about it. */
  locate(path: Array<string | number>): string;
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
  const { scenario, locate } = parseScenario(text, file);
  return {
    scenario,
    file,
    baseDir: dirname(resolve(file)),
    sha256: createHash('sha256').update(text).digest('hex'),
    locate,
  };
}

/** Parses and validates scenario text; `file` only names the source in messages. */
export function parseScenarioText(text: string, file: string): Scenario {
  return parseScenario(text, file).scenario;
}

function parseScenario(
  text: string,
  file: string,
): { scenario: Scenario; locate: LoadedScenario['locate'] } {
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
  const result = validateOneErrorPerTypo(scenarioSchema, value);
  if (!result.success) {
    const messages = result.issues.flatMap((issue) =>
      describeIssue(issue, file, document, lineCounter, result.root),
    );
    const lineOfMessage = (message: string) => Number(/:(\d+):/.exec(message)?.[1] ?? 0);
    messages.sort((a, b) => lineOfMessage(a) - lineOfMessage(b));
    throw new OcrbenchError('E_SCENARIO_FIELD', messages.join('\n'));
  }
  checkCombinations(result.data, file, document, lineCounter);
  const locate = (path: Array<string | number>) => {
    const keys = path.map(String);
    return `${file}:${lineOf(document, lineCounter, keys)}: ${dotted(keys)}`;
  };
  return { scenario: result.data, locate };
}

type Issue = z.core.$ZodIssue;

function describeIssue(
  issue: Issue,
  file: string,
  document: Document,
  lineCounter: LineCounter,
  root: unknown,
): string[] {
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    const allowedKeys = objectKeysAt(scenarioSchema, root, path);
    return issue.keys.map((key) => {
      const fieldPath = [...path, key];
      const line = lineOf(document, lineCounter, fieldPath);
      return (
        `${file}:${line}: ${dotted(fieldPath)}: unknown field. ` +
        `Fix: remove it or correct the spelling${suggestKey(key, allowedKeys)}.`
      );
    });
  }
  const line = lineOf(document, lineCounter, path);
  const value = valueAt(root, path);
  return [
    `${file}:${line}: ${dotted(path) || '(top level)'}: ${rule(issue)}, got ${shown(value)}. ` +
      `Fix: ${fix(issue, path, value)}.`,
  ];
}

/**
 * A value as the user wrote it: JSON, except the numbers JSON cannot hold (YAML's `.nan`
 * and `.inf`), which JSON.stringify would turn into a misleading `null`.
 */
function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return JSON.stringify(value) ?? String(value);
}

/** A too_small issue about a list or a text (length), not a number. */
function sizeOrigin(issue: Issue): 'array' | 'string' | null {
  if (issue.code !== 'too_small') return null;
  const origin = (issue as { origin?: string }).origin;
  return origin === 'array' || origin === 'string' ? origin : null;
}

/** Zod's type names as a reader says them: "an integer", "a number", "a list". */
const TYPE_NAMES: Record<string, string> = {
  int: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
  record: 'a mapping',
};

function typeName(expected: string): string {
  return TYPE_NAMES[expected] ?? (/^[aeiou]/i.test(expected) ? `an ${expected}` : `a ${expected}`);
}

function rule(issue: Issue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${typeName(issue.expected)}`;
    case 'too_small': {
      const minimum = Number(issue.minimum);
      if (sizeOrigin(issue) === 'array') {
        return minimum === 1 ? 'needs at least one entry' : `needs at least ${minimum} entries`;
      }
      if (sizeOrigin(issue) === 'string') {
        return minimum === 1 ? 'must not be empty' : `needs at least ${minimum} characters`;
      }
      return `must be ${issue.inclusive === false ? '>' : '>='} ${String(issue.minimum)}`;
    }
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
  if (sizeOrigin(issue) === 'array') return emptyListFix(path);
  if (sizeOrigin(issue) === 'string') return 'write a value, or remove the field if optional';
  if (issue.code === 'custom' && typeof issue.params?.fix === 'string') return issue.params.fix;
  if (issue.code === 'too_small') return `use a value ${rule(issue).replace('must be ', '')}`;
  if (issue.code === 'too_big') return `use a value ${rule(issue).replace('must be ', '')}`;
  if (issue.code === 'invalid_type') return `write ${typeName(issue.expected)} here`;
  if (issue.code === 'invalid_union' && path.at(-1) === 'model') {
    return 'set `model` to `closed` or `open`';
  }
  return 'see docs/scenario.md for this field';
}

/** An empty list: what to add, or that leaving the field out has a meaning. */
function emptyListFix(path: string[]): string {
  const field = dotted(path);
  if (field === 'mix') {
    return (
      'add an entry such as `{ sizeClass: 50KB, weight: 1 }`, or remove `mix` to ' +
      'upload every dataset file equally'
    );
  }
  if (field === 'load.stages') {
    return (
      'add a stage such as `{ durationSeconds: 60, rate: 2 }`, or remove `stages` ' +
      'and set `rate`'
    );
  }
  return `add an entry, or remove \`${path.at(-1)}\``;
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
  if (
    load.model === 'open' &&
    load.rate === undefined &&
    load.stages?.every((stage) => stage.rate === 0)
  ) {
    problems.push(
      `${at(['load', 'stages'])}: every stage has rate 0 and \`rate\` is not set, so no job ` +
        'would ever be submitted (the first stage ramps from 0 jobs/s). Fix: give a stage a ' +
        'rate above 0 (jobs/s), or set `rate` for the first stage to start from.',
    );
  }
  const languages = languageProblem(scenario.target.builtin);
  if (languages) problems.push(`${at(['target', 'builtin', 'languages'])}: ${languages}`);
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
    if (scenario.target.builtin.faults.length > 0) {
      problems.push(
        `${at(['target', 'builtin', 'faults'])}: faults apply only to the built-in target, ` +
          `but target.url is ${scenario.target.url}; they would be ignored. Fix: remove ` +
          '`target.builtin.faults`, or set `target.url: builtin`.',
      );
    }
  }
  if (problems.length > 0) throw new OcrbenchError('E_SCENARIO_FIELD', problems.join('\n'));
}

/**
 * Languages the built-in target cannot load: found now rather than when the target starts
 * (exit 4 after the dataset was prepared). Null when all are there, or when the engine's
 * list cannot be read (no tesseract installed: the run reports that itself).
 */
function languageProblem(builtin: Scenario['target']['builtin']): string | null {
  const available = builtinLanguages(builtin.engine);
  if (available === null) return null;
  const missing = missingLanguages(builtin.languages, available);
  if (missing.length === 0) return null;
  const where =
    builtin.engine === 'tesseract.js'
      ? 'the @tesseract.js-data packages in node_modules'
      : '`tesseract --list-langs`';
  const install =
    builtin.engine === 'tesseract.js'
      ? 'npm install @tesseract.js-data/<code>'
      : 'apt-get install tesseract-ocr-<code>';
  return (
    `the built-in target (engine ${builtin.engine}) has no ` +
    `${missing.map((code) => JSON.stringify(code)).join(', ')} in ` +
    `${JSON.stringify(builtin.languages)}; it has ${available.join(', ') || 'none'} ` +
    `(${where}). Fix: use ${available.join(', ')} ` +
    `or several joined by + (e.g. ${available.join('+')}), or \`${install}\` for another.`
  );
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

function dotted(path: string[]): string {
  return path
    .map((key) => (/^\d+$/.test(key) ? `[${key}]` : key))
    .join('.')
    .replace(/\.\[/g, '[');
}

// Checks against the dataset on disk live in their own file; callers import them from here.
export { datasetProblems } from './dataset-problems.ts';
