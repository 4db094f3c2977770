import type { GateResult } from '../compare/gate.ts';

/**
 * JUnit XML for CI systems: one test case per gate check, a failure element for a broken
 * threshold (and for an undecided one under `onInconclusive: fail`), `skipped` for an
 * undecided one otherwise, an error for an incomplete run and for relative
 * checks that too few trials could not judge (exit code 2).
 */
export function gateJunit(result: GateResult, suiteName = 'ocrbench gate'): string {
  const cases: string[] = [];
  let failures = 0;
  let skipped = 0;
  const undecided = new Set(result.failedChecks.undecided);
  for (const check of result.checks) {
    const open = `    <testcase classname="ocrbench.gate" name="${xml(check.name)}">`;
    // An undecided check that fails the build (onInconclusive: fail) is a failure too, but
    // not a regression: its type says which.
    if (check.status === 'fail' || undecided.has(check.name)) {
      failures++;
      const type = check.status === 'fail' ? 'regression' : 'not-shown-within-limit';
      cases.push(
        open,
        `      <failure message="${xml(check.message)}" type="${type}">` +
          `${xml(`${check.metricId}: ${check.observed}; rule: ${check.rule}`)}</failure>`,
        '    </testcase>',
      );
    } else if (check.status === 'pass') {
      cases.push(`${open.slice(0, -1)} />`);
    } else {
      skipped++;
      cases.push(open, `      <skipped message="${xml(check.message)}" />`, '    </testcase>');
    }
  }
  for (const run of result.incompleteRuns) {
    cases.push(
      '    <testcase classname="ocrbench.gate" name="run complete">',
      `      <error message="${xml(`run incomplete: ${run}`)}" type="incomplete" />`,
      '    </testcase>',
    );
  }
  const tooFew = result.exitCode === 2 && result.tooFewTrials !== null;
  if (tooFew) {
    cases.push(
      '    <testcase classname="ocrbench.gate" name="enough trials">',
      `      <error message="${xml(result.tooFewTrials ?? '')}" type="too-few-trials" />`,
      '    </testcase>',
    );
  }
  const errors = result.incompleteRuns.length + (tooFew ? 1 : 0);
  const tests = result.checks.length + errors;
  const { baseline, candidate } = result.comparison;
  const attributes =
    `name="${xml(suiteName)}" tests="${tests}" failures="${failures}" errors="${errors}" ` +
    `skipped="${skipped}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites ${attributes}>`,
    `  <testsuite ${attributes} timestamp="${xml(result.comparison.createdAt)}">`,
    '    <properties>',
    `      <property name="baseline" value="${xml(`${baseline.source} (${baseline.id})`)}" />`,
    `      <property name="candidate" value="${xml(`${candidate.source} (${candidate.id})`)}" />`,
    `      <property name="basis" value="${result.comparison.basis}" />`,
    '    </properties>',
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

function xml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}
