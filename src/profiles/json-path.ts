/**
 * A tiny JSON-path-like selector, enough to say where a service puts a job id, a state or
 * a result field. The grammar (a subset of JSONPath, no filters or recursion):
 *
 *   path     := '$' step*
 *   step     := '.' name            object member: `$.data.id`
 *             | '.*' | '[*]'        every element of an array, or every value of an object
 *             | '[' integer ']'     array element; negative counts from the end: `[-1]`
 *             | "['" text "']"      member with any name: `$['task-id']` (also "...")
 *   name     := [A-Za-z_][A-Za-z0-9_-]*
 *
 * Examples: `$.request_ids[0]`, `$.files[*].request_id`, `$.result.text`, `$` (the whole
 * document, e.g. a bare string id). Selecting never throws: a step that does not apply
 * (a member of a number, an index past the end) drops that branch.
 */

type Step = { kind: 'member'; name: string } | { kind: 'index'; index: number } | { kind: 'all' };

export interface JsonPath {
  /** The source text, for messages. */
  readonly source: string;
  /** Every value the path selects, in document order; empty when nothing matches. */
  all(document: unknown): unknown[];
  /** The first selected value, or undefined. */
  first(document: unknown): unknown;
}

export class JsonPathError extends Error {
  constructor(source: string, position: number, expected: string) {
    super(
      `invalid JSON path "${source}" at character ${position + 1}: expected ${expected} ` +
        `(e.g. $.data.id, $.items[0], $.files[*].id, $['odd-name'])`,
    );
    this.name = 'JsonPathError';
  }
}

const NAME = /^[A-Za-z_][A-Za-z0-9_-]*/;
const INDEX = /^\[(-?\d+)\]/;
const QUOTED = /^\[(?:'([^']*)'|"([^"]*)")\]/;

/** Parses a path once; throws `JsonPathError` naming the position when it is malformed. */
export function compileJsonPath(source: string): JsonPath {
  const steps = parse(source);
  return {
    source,
    all: (document) => select(document, steps),
    first: (document) => select(document, steps)[0],
  };
}

/** True when `source` parses; for schema validation. */
export function isJsonPath(source: string): boolean {
  try {
    parse(source);
    return true;
  } catch {
    return false;
  }
}

function parse(source: string): Step[] {
  if (!source.startsWith('$')) throw new JsonPathError(source, 0, '"$" (the document root)');
  const steps: Step[] = [];
  let position = 1;
  while (position < source.length) {
    const rest = source.slice(position);
    if (rest.startsWith('.*') || rest.startsWith('[*]')) {
      steps.push({ kind: 'all' });
      position += rest.startsWith('.*') ? 2 : 3;
      continue;
    }
    if (rest.startsWith('.')) {
      const name = NAME.exec(rest.slice(1));
      if (!name) throw new JsonPathError(source, position + 1, 'a member name');
      steps.push({ kind: 'member', name: name[0] });
      position += 1 + name[0].length;
      continue;
    }
    const index = INDEX.exec(rest);
    if (index) {
      steps.push({ kind: 'index', index: Number(index[1]) });
      position += index[0].length;
      continue;
    }
    const quoted = QUOTED.exec(rest);
    if (quoted) {
      steps.push({ kind: 'member', name: quoted[1] ?? quoted[2] });
      position += quoted[0].length;
      continue;
    }
    throw new JsonPathError(source, position, '".name", "[0]", "[*]" or "[\'name\']"');
  }
  return steps;
}

function select(document: unknown, steps: Step[]): unknown[] {
  let current: unknown[] = [document];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const value of current) apply(step, value, next);
    current = next;
  }
  return current.filter((value) => value !== undefined);
}

function apply(step: Step, value: unknown, into: unknown[]): void {
  if (value === null || typeof value !== 'object') return;
  if (step.kind === 'all') {
    into.push(...(Array.isArray(value) ? value : Object.values(value)));
  } else if (step.kind === 'index') {
    if (!Array.isArray(value)) return;
    const index = step.index < 0 ? value.length + step.index : step.index;
    if (index >= 0 && index < value.length) into.push(value[index]);
  } else if (!Array.isArray(value) && Object.hasOwn(value, step.name)) {
    into.push((value as Record<string, unknown>)[step.name]);
  }
}
