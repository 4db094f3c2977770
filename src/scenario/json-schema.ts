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
};

function walk(schema: JsonSchema, path: string, rows: Row[]): void {
  const variants = schema.oneOf ?? schema.anyOf;
  if (variants && !schema.properties) {
    for (const variant of variants) walk({ ...variant, default: schema.default }, path, rows);
    return;
  }
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    const childPath = path ? `${path}.${key}` : key;
    const required = schema.required?.includes(key) && child.default === undefined;
    const nested = child.properties ? child : child.items?.properties ? child.items : undefined;
    const typeName = describeType(child);
    if (!rows.some((row) => row.path === childPath)) {
      rows.push({
        path: childPath,
        type: typeName,
        defaultValue: required ? '**required**' : formatDefault(child.default),
        description: child.description ?? nested?.description ?? '',
      });
    }
    if (child.properties) walk(child, childPath, rows);
    else if (child.items?.properties) walk(child.items, `${childPath}[]`, rows);
    else if (child.oneOf ?? child.anyOf) walk(child, childPath, rows);
  }
}

function describeType(schema: JsonSchema): string {
  if (schema.const !== undefined) return `\`${JSON.stringify(schema.const)}\``;
  if (schema.enum) return schema.enum.map((v) => `\`${JSON.stringify(v)}\``).join(' \\| ');
  if (schema.items) return `list of ${describeType(schema.items)}`;
  const variants = schema.oneOf ?? schema.anyOf;
  if (variants) return variants.map(describeType).join(' or ');
  if (Array.isArray(schema.type)) return schema.type.join(' or ');
  return schema.type ?? 'any';
}

function formatDefault(value: unknown): string {
  if (value === undefined) return '';
  const text = JSON.stringify(value);
  return text.length > 40 ? '(object)' : `\`${text}\``;
}
