import { z } from 'zod';
import { closest, distance } from 'fastest-levenshtein';

/**
 * Finds the object schema that validates the value at `path`, so an "unknown field" error
 * can list the allowed fields and suggest the nearest one.
 */
export function objectKeysAt(schema: z.ZodType, root: unknown, path: string[]): string[] {
  let current: z.ZodType | undefined = schema;
  let value: unknown = root;
  for (let i = 0; i <= path.length && current; i++) {
    current = unwrap(current, value);
    if (i === path.length) break;
    const key = path[i];
    value =
      value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
    if (current instanceof z.ZodObject) current = current.shape[key] as z.ZodType | undefined;
    else if (current instanceof z.ZodArray) current = current.element as z.ZodType;
    else if (current instanceof z.ZodRecord) current = current.valueType as z.ZodType;
    else current = undefined;
  }
  return current instanceof z.ZodObject ? Object.keys(current.shape) : [];
}

function unwrap(schema: z.ZodType, value: unknown): z.ZodType {
  let current = schema;
  for (;;) {
    if (current instanceof z.ZodDefault || current instanceof z.ZodOptional) {
      current = current.unwrap() as z.ZodType;
    } else if (current instanceof z.ZodNullable) {
      current = current.unwrap() as z.ZodType;
    } else if (current instanceof z.ZodDiscriminatedUnion) {
      const options = current.options as z.ZodType[];
      const chosen =
        options.find((option) => option.safeParse(value).success) ??
        options.find((option) => matchesDiscriminator(option, value)) ??
        options[0];
      current = chosen;
    } else {
      return current;
    }
  }
}

function matchesDiscriminator(option: z.ZodType, value: unknown): boolean {
  if (!(option instanceof z.ZodObject) || !value || typeof value !== 'object') return false;
  const model = (value as Record<string, unknown>).model;
  const literal = option.shape.model;
  return literal instanceof z.ZodLiteral && literal.value === model;
}

/** The allowed key an unknown one is probably a misspelling of, or null. */
export function nearestKey(unknownKey: string, allowed: string[]): string | null {
  if (allowed.length === 0) return null;
  const nearest = closest(unknownKey, allowed);
  return distance(unknownKey, nearest) <= Math.max(2, unknownKey.length / 3) ? nearest : null;
}

/** "; did you mean `x`? Allowed: a, b, c", ". Allowed: a, b, c" or an empty string. */
export function suggestKey(unknownKey: string, allowed: string[]): string {
  if (allowed.length === 0) return '';
  const nearest = nearestKey(unknownKey, allowed);
  return `${nearest ? `; did you mean \`${nearest}\`?` : '.'} Allowed: ${allowed.join(', ')}`;
}

/** The value at `path` in parsed YAML/JSON, or undefined when any step is missing. */
export function valueAt(root: unknown, path: string[]): unknown {
  let value: unknown = root;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}
