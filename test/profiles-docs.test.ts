import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { genericProfileSchema } from '../src/profiles/generic-config.ts';
import { getProfile } from '../src/profiles/index.ts';
import { startFakeOcrServer, type FakeOcrServer } from './servers/fake-ocr-server.ts';
import { contextFor, pollUntilSettled, uploadFiles } from './servers/profile-driver.ts';

// docs/profiles.md must not drift from the code: its defaults table is checked against the
// schema, and its two worked examples run against the fake service.
const docs = readFileSync(new URL('../docs/profiles.md', import.meta.url), 'utf8');

let server: FakeOcrServer | null = null;
let context: ReturnType<typeof contextFor> | null = null;

afterEach(async () => {
  await context?.close();
  await server?.close();
  server = null;
  context = null;
});

function defaultCell(field: string): string {
  const row = docs.split('\n').find((line) => line.startsWith(`| \`${field}\` |`));
  if (!row) throw new Error(`docs/profiles.md has no row for ${field}`);
  return row.split('|')[2].trim();
}

function yamlExamples(): { target: { url: string; generic: unknown } }[] {
  const blocks = [...docs.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => parse(match[1]));
  return blocks.filter((block) => block?.target?.profile === 'generic');
}

describe('docs/profiles.md', () => {
  it('lists every generic setting with the default the schema applies', () => {
    const parsed = genericProfileSchema.parse({
      submit: { path: '/x' },
      status: { pathTemplate: '/x/{id}' },
      queue: { path: '/q' },
    });
    const shape = genericProfileSchema.shape;
    const sections = { submit: shape.submit, status: shape.status, result: shape.result };
    const fields: [string, unknown][] = [];
    for (const [section, schema] of Object.entries(sections)) {
      const inner = 'shape' in schema ? schema.shape : schema.def.innerType.shape;
      for (const key of Object.keys(inner)) {
        const value = (parsed[section as keyof typeof sections] as Record<string, unknown>)[key];
        fields.push([`${section}.${key}`, value]);
      }
    }
    for (const key of Object.keys(shape.queue.def.innerType.shape)) {
      fields.push([`queue.${key}`, (parsed.queue as Record<string, unknown>)[key]]);
    }
    expect(fields.length).toBe(27);
    for (const [field, value] of fields) {
      const cell = defaultCell(field);
      if (field === 'submit.path' || field === 'status.pathTemplate' || field === 'queue.path') {
        expect(cell, field).toMatch(/^required/);
      } else if (value === undefined) {
        expect(cell, field).toMatch(/^unset/);
      } else {
        expect(cell, field).toBe(`\`${JSON.stringify(value)}\``);
      }
    }
  });

  it('has two generic examples that validate and run against the fake service', async () => {
    const examples = yamlExamples();
    expect(examples).toHaveLength(2);
    server = await startFakeOcrServer({ workers: 1, processingMs: 15, text: 'from the docs' });
    context = contextFor(server.url);
    for (const example of examples) {
      const target = { ...example.target, url: server.url };
      const profile = getProfile('generic', target);
      const outcome = await profile.submit(context, uploadFiles(1));
      expect(outcome.kind).toBe('accepted');
      if (outcome.kind !== 'accepted') continue;
      const { outcome: last } = await pollUntilSettled(profile, context, outcome.handles[0]);
      expect(last.kind === 'done' && last.result).toMatchObject({
        text: 'from the docs',
        processingMs: 15,
      });
      expect(profile.serverTimestamps).toBe(true);
    }
    expect(server.stats.requests.taskUpload).toBe(1);
    expect(server.stats.requests.upload).toBe(1);
  });
});
