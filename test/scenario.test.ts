import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { parseScenarioText, loadScenario } from '../src/scenario/load-scenario.ts';
import { scenarioFieldTable, scenarioJsonSchema } from '../src/scenario/json-schema.ts';
import { OcrbenchError } from '../src/util/errors.ts';

const minimal = `name: t
dataset:
  path: d
load:
  model: closed
  concurrency: 2
  jobs: 3
`;

function errorOf(text: string): OcrbenchError {
  try {
    parseScenarioText(text, 'x.yaml');
  } catch (error) {
    return error as OcrbenchError;
  }
  throw new Error('expected the scenario to be rejected');
}

describe('scenario validation', () => {
  it('applies documented defaults', () => {
    const scenario = parseScenarioText(minimal, 'x.yaml');
    expect(scenario.target.url).toBe('builtin');
    expect(scenario.target.profile).toBe('ocrlotes');
    expect(scenario.poll.intervalMs).toBe(200);
    expect(scenario.uploads.uniqueBytes).toBe(true);
    expect(scenario.trials).toBe(1);
  });

  it('names file, line, field, value and fix for a wrong value', () => {
    const error = errorOf(minimal.replace('concurrency: 2', 'concurrency: two'));
    expect(error.code).toBe('E_SCENARIO_FIELD');
    expect(error.message).toBe(
      'x.yaml:6: load.concurrency: expected a number, got "two". Fix: write a number here.',
    );
  });

  it('rejects unknown fields and suggests the nearest', () => {
    const error = errorOf(minimal.replace('  jobs: 3', '  jobs: 3\n  concurency: 4'));
    expect(error.message).toContain('x.yaml:8: load.concurency: unknown field');
    expect(error.message).toContain('did you mean `concurrency`?');
  });

  it('gives one error for one misspelt required field, not also "missing"', () => {
    const lines = (text: string) => errorOf(text).message.split('\n');
    expect(lines(minimal.replace('concurrency: 2', 'concurency: 2'))).toEqual([
      'x.yaml:6: load.concurency: unknown field. Fix: remove it or correct the spelling; ' +
        'did you mean `concurrency`? Allowed: model, concurrency, durationSeconds, jobs.',
    ]);
    expect(lines(minimal.replace('name: t', 'nmae: t'))).toHaveLength(1);
    expect(lines(minimal.replace('  path: d', '  pth: d'))[0]).toContain(
      'x.yaml:3: dataset.pth: unknown field',
    );
    expect(lines(minimal.replace('  path: d', '  pth: d'))).toHaveLength(1);
    const mix = lines(`${minimal}mix:\n  - { sizeClass: a, wieght: 3 }\n`);
    expect(mix).toHaveLength(1);
    expect(mix[0]).toContain('x.yaml:9: mix[0].wieght: unknown field');
    const stage = 'load: { model: open, stages: [{ durationSecond: 3, rate: 1 }] }';
    const staged = lines(`name: t\ndataset: { path: d }\n${stage}\n`);
    expect(staged).toHaveLength(1);
    expect(staged[0]).toContain('did you mean `durationSeconds`?');
  });

  it('reports a misspelt `model` as one unknown field and still checks the rest', () => {
    // Without `model` the union cannot pick closed or open: the typo must be named anyway.
    expect(errorOf(minimal.replace('model: closed', 'modle: closed')).message).toBe(
      'x.yaml:5: load.modle: unknown field. Fix: remove it or correct the spelling; ' +
        'did you mean `model`? Allowed: model, concurrency, durationSeconds, jobs.',
    );
    // The allowed fields are those of the variant the misspelt key names.
    const open = 'load: { mdoel: open, rate: 1, durationSeconds: 3 }';
    const openError = errorOf(`name: t\ndataset: { path: d }\n${open}\n`).message;
    expect(openError).toContain('did you mean `model`? Allowed: model, rate, arrival, stages');
    expect(openError.split('\n')).toHaveLength(1);
    // A second typo in the same object is still found, once.
    const both = minimal
      .replace('model: closed', 'modle: closed')
      .replace('concurrency', 'concurency');
    const bothLines = errorOf(both).message.split('\n');
    expect(bothLines).toHaveLength(2);
    expect(bothLines[0]).toContain('load.modle: unknown field');
    expect(bothLines[1]).toContain('x.yaml:6: load.concurency: unknown field');
  });

  it('keeps "missing" next to an unknown field that is no near spelling of it', () => {
    const lines = errorOf(minimal.replace('name: t', 'title: t')).message.split('\n');
    expect(lines).toEqual([
      'x.yaml:1: name: expected a string, got nothing. Fix: add the required field `name` ' +
        '(see docs/scenario.md).',
      'x.yaml:1: title: unknown field. Fix: remove it or correct the spelling. Allowed: name, ' +
        'description, tags, target, dataset, mix, load, warmup, poll, uploads, observe, ' +
        'trials, seed, gate.',
    ]);
  });

  it('reports a missing required field at its parent line', () => {
    const error = errorOf(minimal.replace('  path: d\n', '  generate: {}\n'));
    expect(error.message).toContain('x.yaml:2: dataset.path: expected a string, got nothing');
    expect(error.message).toContain('add the required field `path`');
  });

  it('checks rules spanning fields', () => {
    const noLimit = errorOf(minimal.replace('  jobs: 3\n', ''));
    expect(noLimit.message).toContain('load: needs a limit');
    const noRate = errorOf(minimal.replace(/model: closed\n {2}concurrency: 2/, 'model: open'));
    expect(noRate.message).toContain('an open load needs an arrival rate');
    const badUrl = errorOf(`${minimal}target:\n  url: ftp://x\n`);
    expect(badUrl.message).toContain('x.yaml:9: target.url: "ftp://x" is not an http(s) URL');
  });

  it('gives the line of a YAML syntax error', () => {
    const error = errorOf('name: t\nload: [\n');
    expect(error.code).toBe('E_SCENARIO_FILE');
    expect(error.message).toMatch(/^x\.yaml:\d+: not valid YAML\/JSON/);
  });

  it('accepts JSON as well as YAML', () => {
    const json = JSON.stringify({
      name: 'j',
      dataset: { path: 'd' },
      load: { model: 'open', rate: 2, durationSeconds: 5 },
    });
    expect(parseScenarioText(json, 'x.json').load.model).toBe('open');
  });

  it('keeps every example under scenarios/ valid', async () => {
    const files = readdirSync('scenarios').filter((file) => /\.ya?ml$/.test(file));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const { scenario } = await loadScenario(`scenarios/${file}`);
      expect(scenario.name.length).toBeGreaterThan(0);
    }
  });

  it('publishes the JSON Schema generated from the same source', () => {
    const committed = JSON.parse(readFileSync('scenarios/scenario.schema.json', 'utf8'));
    expect(committed).toEqual(scenarioJsonSchema());
  });

  it('exits 2 with one line per problem from the CLI', () => {
    const result = spawnSync(
      process.execPath,
      ['bin/ocrbench.js', 'scenario', 'check', 'test/fixtures/bad-scenario.yaml'],
      { encoding: 'utf8' },
    );
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([
      'test/fixtures/bad-scenario.yaml:5: load.concurrency: must be >= 1, got 0. ' +
        'Fix: use a value >= 1.',
    ]);
  });
});

describe('scenario documentation', () => {
  it('docs/scenario.md lists every field with the schema defaults', () => {
    const doc = readFileSync('docs/scenario.md', 'utf8');
    expect(doc).toContain(scenarioFieldTable());
  });
});

describe('scenario examples in the docs', () => {
  it('every YAML scenario block in docs/ and README.md is valid', () => {
    const files = ['README.md', ...readdirSync('docs').map((file) => `docs/${file}`)];
    let checked = 0;
    for (const file of files.filter((name) => name.endsWith('.md'))) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/```ya?ml\n([\s\S]*?)```/g)) {
        if (!/^load:/m.test(match[1])) continue; // gate files and fragments are not scenarios
        expect(() => parseScenarioText(match[1], file)).not.toThrow();
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(0);
  });
});

describe('dataset.generate options', () => {
  it('are checked when the scenario loads, with the line', () => {
    const text = minimal.replace('  path: d\n', '  path: d\n  generate:\n    kind: invoices\n');
    const error = errorOf(text);
    expect(error.message).toContain(
      'x.yaml:4: dataset.generate: kind: "invoices" is not supported',
    );
  });
});
