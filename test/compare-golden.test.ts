import { describe, it } from 'vitest';
import { compareRuns } from '../src/compare/compare-runs.ts';
import { evaluateGate } from '../src/compare/gate.ts';
import { resolveGate } from '../src/compare/gate-schema.ts';
import { gateJunit } from '../src/report/junit.ts';
import { validationMarkdown } from '../src/report/validation-md.ts';
import { gateMarkdown } from '../src/report/validation-gate.ts';
import { comparisonTable } from '../src/report/validation-table.ts';
import { goldenPair, PINNED_NOW } from './helpers/fixture-runs.ts';
import { expectGolden } from './helpers/golden.ts';

// Fixtures come from a seeded PRNG and the dates are pinned, so the outputs are byte-stable.
// UPDATE_GOLDEN=1 npx vitest run test/compare-golden.test.ts rewrites test/golden/.
describe('golden outputs', () => {
  const { baseline, candidate } = goldenPair();
  const options = { now: PINNED_NOW, toolVersion: '0.1.0', resamples: 2000 };
  const comparison = compareRuns(baseline, candidate, options);

  it('comparison.json', () => {
    expectGolden('comparison.json', `${JSON.stringify(comparison, null, 2)}\n`);
  });

  it('validation.md', () => {
    expectGolden('validation.md', validationMarkdown(comparison));
  });

  it('terminal table', () => {
    expectGolden('compare-table.txt', comparisonTable(comparison));
  });

  it('gate JUnit XML and Markdown summary', () => {
    const result = evaluateGate(baseline, candidate, resolveGate({}), options);
    expectGolden('gate-junit.xml', gateJunit(result));
    expectGolden('gate-summary.md', gateMarkdown(result));
  });
});
