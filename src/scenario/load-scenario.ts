import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { LineCounter, parseDocument, isMap, type Document } from 'yaml';
import type { z } from 'zod';
import { closest } from 'fastest-levenshtein';
import { OcrbenchError } from '../util/errors.ts';
import { scenarioSchema, type Scenario } from './schema.ts';
import { objectKeysAt, suggestKey, valueAt } from './schema-walk.ts';
import { validateOneErrorPerTypo } from './typos.ts';
import { resolveGenerateOptions } from '../dataset/options.ts';
import { MANIFEST_NAME, readManifest } from '../dataset/manifest.ts';

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
  const found = JSON.stringify(value);
  return [
    `${file}:${line}: ${dotted(path) || '(top level)'}: ${rule(issue)}, got ${
      found ?? 'nothing'
    }. Fix: ${fix(issue, path, value)}.`,
  ];
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
  if (issue.code === 'invalid_type') return `write ${typeName(issue.expected)} here`;
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

/**
 * Checks the scenario against its dataset on disk: the folder and its manifest exist (or
 * `dataset.generate` will make them), and every mix entry names size classes, formats and
 * files the dataset has. Returns one "file:line: field: problem. Fix: ..." line per problem.
 */
export async function datasetProblems(loaded: LoadedScenario): Promise<string[]> {
  const { scenario, locate } = loaded;
  const folder = resolve(loaded.baseDir, scenario.dataset.path);
  const manifestPath = join(folder, MANIFEST_NAME);
  let files: Array<{ file: string; sizeClass: string; format: string }> | null = null;
  let source: string;
  if (existsSync(manifestPath)) {
    try {
      files = (await readManifest(folder)).files;
    } catch (error) {
      if (!(error instanceof OcrbenchError)) throw error;
      return [`${locate(['dataset', 'path'])}: ${error.message}`];
    }
    source = manifestPath;
  } else if (scenario.dataset.generate) {
    // Generated on the first run: its size classes and formats are those of the options.
    let options;
    try {
      options = resolveGenerateOptions({ ...scenario.dataset.generate, out: folder });
    } catch {
      return []; // reported with its line when the scenario loaded
    }
    const generated: Record<'sizeClass' | 'format', string[]> = {
      sizeClass: options.sizes,
      format: options.formats,
    };
    return mixProblems(loaded, (field, value) =>
      field === 'file' || generated[field].includes(value)
        ? null
        : `the dataset that dataset.generate makes has ${fieldPlural(field)} ` +
          `${generated[field].join(', ')}`,
    );
  } else {
    const exists = existsSync(folder);
    const problem = exists ? `has no ${MANIFEST_NAME}` : 'does not exist';
    const importIt = exists ? `, \`ocrbench dataset import ${folder}\`` : '';
    return [
      `${locate(['dataset', 'path'])}: ${folder} ${problem}. ` +
        `Fix: \`ocrbench dataset generate --out ${folder}\`${importIt}, or add ` +
        '`dataset.generate` so the first run makes it.',
    ];
  }
  const all = files;
  const known: Record<MixField, string[]> = {
    sizeClass: [...new Set(all.map((entry) => entry.sizeClass))],
    format: [...new Set(all.map((entry) => entry.format))],
    file: all.map((entry) => entry.file),
  };
  const problems = mixProblems(loaded, (field, value) => {
    if (known[field].includes(value)) return null;
    if (field === 'file') {
      const nearest = JSON.stringify(closest(value, known.file));
      return `${source} lists no such file; did you mean ${nearest}?`;
    }
    return `${source} has ${fieldPlural(field)} ${known[field].join(', ')}`;
  });
  if (problems.length > 0) return problems;
  // Each field exists; an entry may still match no file (a size class only in another format).
  (scenario.mix ?? []).forEach((entry, index) => {
    const matches = all.some(
      (file) =>
        (entry.sizeClass === undefined || file.sizeClass === entry.sizeClass) &&
        (entry.format === undefined || file.format === entry.format) &&
        (entry.file === undefined || file.file === entry.file),
    );
    if (!matches) {
      problems.push(
        `${locate(['mix', index])}: no file of ${source} matches all of ` +
          `${JSON.stringify({ ...entry, weight: undefined })}. Fix: drop one of the filters.`,
      );
    }
  });
  return problems;
}

type MixField = 'sizeClass' | 'format' | 'file';

function fieldPlural(field: 'sizeClass' | 'format'): string {
  return field === 'sizeClass' ? 'size classes' : 'formats';
}

/** One line per mix field whose value `why` rejects (returns what the dataset has instead). */
function mixProblems(
  loaded: LoadedScenario,
  why: (field: MixField, value: string) => string | null,
): string[] {
  const problems: string[] = [];
  (loaded.scenario.mix ?? []).forEach((entry, index) => {
    for (const field of ['sizeClass', 'format', 'file'] as const) {
      const value = entry[field];
      if (value === undefined) continue;
      const reason = why(field, value);
      if (reason === null) continue;
      const fix = field === 'file' ? 'correct the path' : 'use one of those';
      problems.push(
        `${loaded.locate(['mix', index, field])}: ${JSON.stringify(value)} is not in the ` +
          `dataset: ${reason}. Fix: ${fix}.`,
      );
    }
  });
  return problems;
}
