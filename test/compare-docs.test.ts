import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { GATE_DEFAULTS, gateSchema, resolveGate } from '../src/compare/gate-schema.ts';
import { parseGateText } from '../src/compare/load-gate.ts';

/**
 * docs/compare.md must agree with the code: every YAML example in it that is not a CI
 * workflow is a gate file (or a scenario with a gate section) and must load, and the gate
 * settings table must name exactly the settings of the schema with their defaults.
 */
const DOC = 'docs/compare.md';
const text = readFileSync(DOC, 'utf8');

interface Block {
  line: number;
  body: string;
}

function yamlBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== '```yaml') continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && lines[end].trim() !== '```') end++;
    blocks.push({ line: start + 1, body: `${lines.slice(start, end).join('\n')}\n` });
    i = end;
  }
  return blocks;
}

/** A GitHub Actions workflow: the CI example, not a gate file. */
function isWorkflow(body: string): boolean {
  const value: unknown = parse(body);
  return typeof value === 'object' && value !== null && 'jobs' in value && 'on' in value;
}

describe('docs/compare.md', () => {
  const blocks = yamlBlocks(text);
  const gates = blocks.filter((block) => !isWorkflow(block.body));

  it('has YAML gate examples and a CI workflow', () => {
    expect(gates.length).toBeGreaterThanOrEqual(1);
    expect(blocks.length - gates.length).toBe(1);
  });

  it('loads every YAML gate example', () => {
    for (const block of gates) {
      const where = `${DOC} (example at line ${block.line})`;
      const file = parseGateText(block.body, where);
      const gate = resolveGate(file);
      expect(gate.alpha, where).toBeGreaterThan(0);
    }
  });

  it('the first gate example means what its comments say', () => {
    const gate = resolveGate(parseGateText(gates[0].body, DOC));
    expect(gate.relative['endToEnd.p95Ms']).toEqual({ maxWorsePercent: 5, significant: true });
    expect(gate.relative['processing.p99Ms']).toEqual({ maxWorsePercent: 10, significant: true });
    expect(gate.increase.cer).toEqual({ maxIncrease: 0.002, significant: false });
    expect(gate.absolute).toEqual({ errorRate: 0.005, 'endToEnd.p95Ms': 30000 });
    expect([gate.tooFewTrials, gate.onInconclusive]).toEqual(['error', 'pass']);
  });

  it('lists exactly the gate settings and default checks, with their defaults', () => {
    // The table of the "Gate file" section only: other sections have tables of their own.
    const from = text.indexOf('### Gate file');
    const rest = text.slice(from + 1);
    const section = text.slice(from, from + 1 + rest.search(/\n##+ /));
    const rows = new Map<string, string>();
    for (const match of section.matchAll(/^\| `([A-Za-z.0-9]+)` \| ([^|]+) \|/gm)) {
      rows.set(match[1], match[2].trim());
    }
    const sections = ['relative', 'increase', 'absolute'];
    const settings = Object.keys(gateSchema.shape).filter((key) => !sections.includes(key));
    const scalarRows = [...rows.keys()].filter((key) => !key.includes('.'));
    expect(scalarRows.sort()).toEqual(settings.sort());
    for (const key of settings) {
      expect(rows.get(key), key).toBe(String(GATE_DEFAULTS[key as keyof typeof GATE_DEFAULTS]));
    }
    const checkRows = [...rows.keys()].filter((key) => sections.includes(key.split('.')[0]));
    const checks = sections.flatMap((section) =>
      Object.keys(GATE_DEFAULTS[section as 'relative']).map((id) => `${section}.${id}`),
    );
    expect(checkRows.sort()).toEqual(checks.sort());
  });
});
