/**
 * Issue #5's demo on the built-in target, through the real CLI (test/helpers/gate-demo.ts):
 *
 *   ocrbench run scenarios/gate-smoke.yaml --run-id baseline
 *   ocrbench run scenarios/gate-smoke.yaml --run-id baseline2
 *   ocrbench run scenarios/gate-smoke.yaml --run-id reload-model --fault reload-model
 *   ocrbench gate baseline baseline2        (A/A) must exit 0
 *   ocrbench gate baseline2 reload-model    must exit 1, failing the latency checks
 *   ocrbench gate reload-model baseline2    must exit 0, the same metrics "improved"
 *
 * Prints each run's per-trial p50s, each gate's exit code, failing checks and verdicts;
 * exits 1 when an expectation does not hold. About 2 minutes on 2 cores.
 *
 * Run: npm run bench gate-demo   (reports in reports/gate-demo-<time>/)
 */
import { join } from 'node:path';
import {
  brokenExpectations,
  demoGate,
  demoRuns,
  EXPECTED,
  FLIPPING_METRICS,
  GATE_SMOKE,
  REPO_ROOT,
  steadiness,
  type DemoGate,
  type GateName,
} from '../test/helpers/gate-demo.ts';

const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const outDir = join(REPO_ROOT, 'reports', `gate-demo-${stamp}`);
const print = (line = '') => process.stdout.write(`${line}\n`);

print(`Scenario ${GATE_SMOKE}; runs, JUnit and reports in ${outDir}`);
print();
const started = performance.now();
const runs = await demoRuns(outDir, { log: print });
const machine = steadiness(runs);
print(`Machine: ${machine.note}.`);
print();

const broken: string[] = [];
for (const name of ['aa', 'regression', 'improvement'] as GateName[]) {
  const gate = await demoGate(name, outDir);
  report(gate);
  broken.push(...brokenExpectations(gate));
}

print(`Total ${((performance.now() - started) / 1000).toFixed(0)} s.`);
print();
if (broken.length > 0) {
  print(`NOT AS EXPECTED (${broken.length}):`);
  for (const line of broken) print(`  - ${line}`);
  print(
    machine.steady
      ? 'The machine was steady: the gate or its inputs need a look.'
      : 'Other work came and went during the runs (see "Machine" above): re-run when the ' +
          'machine is quieter.',
  );
  process.exitCode = 1;
} else {
  print('As expected: reload-model fails the latency checks, the reverse improves, A/A passes.');
}

function report(gate: DemoGate): void {
  const expected = EXPECTED[gate.name];
  print(
    `gate ${gate.name}: ${gate.baseline} -> ${gate.candidate}: exit ${gate.cli.status} ` +
      `(expected ${expected.exitCode})`,
  );
  print(`  failing checks: ${gate.failing.length > 0 ? gate.failing.join(', ') : 'none'}`);
  for (const test of gate.junit.filter((one) => one.status === 'failure')) {
    print(`    ${test.name}: ${test.message}`);
  }
  const verdicts = FLIPPING_METRICS.map((id) => `${id} ${gate.verdicts[id]}`).join(', ');
  print(`  verdicts (comparison.json): ${verdicts}`);
  print(`  conclusion: ${gate.comparison.conclusion.text}`);
  print();
}
