import { z } from 'zod';
import { scenarioSchema } from './schema.ts';

/** The published JSON Schema of scenario files, for editors; generated from the zod schema. */
export function scenarioJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(scenarioSchema, { io: 'input', unrepresentable: 'any' });
  return {
    ...schema,
    $id: 'https://ocrbench.invalid/scenario.schema.json',
    title: 'ocrbench scenario',
    description: 'A load scenario for ocrbench (docs/scenario.md).',
  };
}

interface Row {
  path: string;
  type: string;
  defaultValue: string;
  description: string;
}

/** The field reference of docs/scenario.md, one row per field, from the same schema. */
export function scenarioFieldTable(): string {
  const rows: Row[] = [];
  walk(scenarioJsonSchema(), '', rows);
  const lines = [
    '| field | type | default | meaning |',
    '| --- | --- | --- | --- |',
    ...rows.map(
      (row) =>
        `| \`${row.path}\` | ${row.type} | ${row.defaultValue} | ` +
        `${row.description.replace(/\|/g, '\\|')} |`,
    ),
  ];
  return lines.join('\n');
}

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  description?: string;
  required?: string[];
  propertyNames?: JsonSchema;
  additionalProperties?: JsonSchema | boolean;
};

/** One row per property of an object schema, then the rows of whatever it contains. */
function walk(schema: JsonSchema, path: string, rows: Row[]): void {
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    const childPath = path ? `${path}.${key}` : key;
    const required = schema.required?.includes(key) === true && child.default === undefined;
    rows.push(row(child, childPath, required));
    descend(child, childPath, rows);
  }
}

function row(schema: JsonSchema, path: string, required: boolean, prefix = ''): Row {
  const inner = withoutNull(schema);
  const description = schema.description ?? inner.description ?? inner.items?.description ?? '';
  return {
    path,
    type: describeType(schema),
    defaultValue: required ? '**required**' : formatDefault(schema.default, inner),
    description: prefix + description,
  };
}

/** Rows of what a field contains: an object's fields, list items, union variants, map values. */
function descend(schema: JsonSchema, path: string, rows: Row[]): void {
  const inner = withoutNull(schema);
  if (inner.properties) walk(inner, path, rows);
  else if (inner.items && withoutNull(inner.items).properties) {
    walk(withoutNull(inner.items), `${path}[]`, rows);
  } else if (inner.oneOf ?? inner.anyOf) walkUnion(inner, path, rows);
  else if (typeof inner.additionalProperties === 'object') {
    const value = withoutNull(inner.additionalProperties);
    const keys = inner.propertyNames?.enum;
    if (!keys && !value.properties) return;
    const keyPath = `${path}.<key>`;
    if (keys) {
      rows.push({
        path: keyPath,
        type: keys.map((key) => `\`${String(key)}\``).join(', '),
        defaultValue: '',
        description: 'The keys this map accepts.',
      });
    }
    if (value.properties) walk(value, keyPath, rows);
  }
}

/**
 * A discriminated union (an object whose `model` picks the variant): one row for the
 * discriminator listing every variant, then every variant's fields, those that belong to
 * some variants only marked so.
 */
function walkUnion(schema: JsonSchema, path: string, rows: Row[]): void {
  const variants = (schema.oneOf ?? schema.anyOf ?? []).filter((v) => v.properties);
  if (variants.length === 0) return;
  const discriminator = Object.keys(variants[0].properties ?? {}).find((key) =>
    variants.every((variant) => variant.properties?.[key]?.const !== undefined),
  );
  if (!discriminator) {
    variants.forEach((variant) => walk(variant, path, rows));
    return;
  }
  const valueOf = (variant: JsonSchema) => String(variant.properties![discriminator].const);
  rows.push({
    path: `${path}.${discriminator}`,
    type: variants.map((variant) => `\`${JSON.stringify(valueOf(variant))}\``).join(' \\| '),
    defaultValue: '**required**',
    description: variants
      .map(
        (variant) =>
          `\`${valueOf(variant)}\`: ${variant.properties![discriminator].description ?? ''}`,
      )
      .join(' '),
  });
  const keys = [...new Set(variants.flatMap((variant) => Object.keys(variant.properties!)))];
  for (const key of keys.filter((name) => name !== discriminator)) {
    const owners = variants.filter((variant) => variant.properties![key] !== undefined);
    const child = owners[0].properties![key];
    const required = owners.every(
      (variant) =>
        variant.required?.includes(key) && variant.properties![key].default === undefined,
    );
    const prefix =
      owners.length === variants.length
        ? ''
        : `${owners.map((variant) => `\`${discriminator}: ${valueOf(variant)}\``).join(', ')}` +
          ' only. ';
    rows.push(row(child, `${path}.${key}`, required, prefix));
    descend(child, `${path}.${key}`, rows);
  }
}

/** `X or null` seen as X, for walking into it (the row's type still says "or null"). */
function withoutNull(schema: JsonSchema): JsonSchema {
  const variants = schema.anyOf ?? schema.oneOf;
  if (!variants || schema.properties) return schema;
  const rest = variants.filter((variant) => variant.type !== 'null');
  return rest.length === 1 && rest.length < variants.length
    ? { ...rest[0], ...pick(schema) }
    : schema;
}

function pick(schema: JsonSchema): JsonSchema {
  const result: JsonSchema = {};
  if (schema.default !== undefined) result.default = schema.default;
  if (schema.description !== undefined) result.description = schema.description;
  return result;
}

function describeType(schema: JsonSchema): string {
  if (schema.const !== undefined) return `\`${JSON.stringify(schema.const)}\``;
  if (schema.enum) return schema.enum.map((v) => `\`${JSON.stringify(v)}\``).join(' \\| ');
  if (schema.items) return `list of ${describeType(schema.items)}`;
  const variants = schema.oneOf ?? schema.anyOf;
  if (variants) {
    // A discriminated union of objects is one object whose fields depend on the variant.
    if (variants.every((variant) => variant.type === 'object')) return 'object';
    return variants.map(describeType).join(' or ');
  }
  if (typeof schema.additionalProperties === 'object') {
    return `map to ${describeType(schema.additionalProperties)}`;
  }
  if (Array.isArray(schema.type)) return schema.type.join(' or ');
  return schema.type ?? 'any';
}

/**
 * Defaults as YAML would read them: scalars and lists in full; an object whose fields have
 * their own rows below says so rather than repeating them.
 */
function formatDefault(value: unknown, schema: JsonSchema): string {
  if (value === undefined) return '';
  const text = JSON.stringify(value);
  const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
  if (isObject && schema.properties && Object.keys(value).length > 0 && text.length > 40) {
    return "each field's default (below)";
  }
  return `\`${text.replace(/\|/g, '\\|')}\``;
}
