import type { z } from 'zod';
import { nearestKey, objectKeysAt, valueAt } from './schema-walk.ts';

type Issue = z.core.$ZodIssue;

/** Misspelt discriminators repaired per validation; the scenario has one union (`load`). */
const MAX_REPAIRS = 8;

export type TypoCheck<T> =
  | { success: true; data: T }
  | {
      success: false;
      /** One issue per mistake: a misspelt key is reported as unknown, never also missing. */
      issues: Issue[];
      /** The value with misspelt discriminators renamed: describe the issues against it. */
      root: unknown;
    };

/**
 * Validates `root` so that one typo gives one error. Zod reports a misspelt required key
 * twice (unknown `concurency`, missing `concurrency`); the missing one is dropped when an
 * unknown key next to it is its near spelling. A misspelt discriminator (`modle: closed`)
 * is worse: the union cannot pick a variant, so Zod names neither the typo nor the other
 * fields. It is renamed and the value validated again, so the typo is reported as an unknown
 * field (with "did you mean") and the variant's own fields are still checked.
 */
export function validateOneErrorPerTypo<T>(schema: z.ZodType<T>, root: unknown): TypoCheck<T> {
  let current = root;
  const renamed: Issue[] = [];
  for (let round = 0; ; round++) {
    const result = schema.safeParse(current);
    if (result.success && renamed.length === 0) return { success: true, data: result.data };
    const issues = result.success ? [] : result.error.issues;
    const repair = round < MAX_REPAIRS ? misspeltDiscriminator(schema, current, issues) : null;
    if (repair) {
      current = repair.root;
      renamed.push(repair.issue);
      continue;
    }
    const all = [...renamed, ...issues];
    return { success: false, issues: withoutMisspeltMissing(schema, current, all), root: current };
  }
}

/**
 * A union whose discriminator is missing while its object holds a near spelling of it: the
 * value with that key renamed, and the unknown-key issue that reports the typo.
 */
function misspeltDiscriminator(
  schema: z.ZodType,
  root: unknown,
  issues: readonly Issue[],
): { root: unknown; issue: Issue } | null {
  for (const issue of issues) {
    if (issue.code !== 'invalid_union' || issue.path.length === 0) continue;
    const path = issue.path.map(String);
    if (valueAt(root, path) !== undefined) continue;
    const parentPath = path.slice(0, -1);
    const parent = valueAt(root, parentPath);
    if (parent === null || typeof parent !== 'object' || Array.isArray(parent)) continue;
    const discriminator = path[path.length - 1];
    // The first variant's fields: every variant has the discriminator.
    const allowed = objectKeysAt(schema, root, parentPath);
    if (!allowed.includes(discriminator)) continue;
    const typo = Object.keys(parent).find(
      (key) => !allowed.includes(key) && nearestKey(key, allowed) === discriminator,
    );
    if (typo === undefined) continue;
    // The parsed YAML/JSON is plain data, so a deep copy keeps the caller's value intact.
    const repaired = structuredClone(root);
    const object = valueAt(repaired, parentPath) as Record<string, unknown>;
    object[discriminator] = object[typo];
    delete object[typo];
    return {
      root: repaired,
      issue: {
        code: 'unrecognized_keys',
        keys: [typo],
        path: issue.path.slice(0, -1),
        message: `Unrecognized key: "${typo}"`,
        input: parent as Record<string, unknown>,
      },
    };
  }
  return null;
}

/**
 * Drops a "missing field X" issue when an unknown field next to it is a misspelling of X:
 * the "unknown field, did you mean X?" line already says what to fix, once.
 */
function withoutMisspeltMissing(
  schema: z.ZodType,
  root: unknown,
  issues: readonly Issue[],
): Issue[] {
  const suggested = new Set<string>();
  for (const issue of issues) {
    if (issue.code !== 'unrecognized_keys') continue;
    const path = issue.path.map(String);
    const allowed = objectKeysAt(schema, root, path);
    for (const key of issue.keys) {
      const nearest = nearestKey(key, allowed);
      if (nearest !== null) suggested.add(JSON.stringify([...path, nearest]));
    }
  }
  return issues.filter((issue) => {
    const path = issue.path.map(String);
    // Any code: a missing number is invalid_type, a missing enum or union is not.
    const missing = issue.code !== 'unrecognized_keys' && valueAt(root, path) === undefined;
    return !(missing && suggested.has(JSON.stringify(path)));
  });
}
