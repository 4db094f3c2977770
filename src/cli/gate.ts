import type { CommandModule } from 'yargs';
import { GATE_DEFAULTS } from '../compare/gate-schema.ts';

interface GateArguments {
  baseline: string;
  candidate: string;
  gate?: string;
  junit?: string;
  out?: string;
}

const defaults =
  `Default checks: end-to-end p95 at most ` +
  `${GATE_DEFAULTS.relative['endToEnd.p95Ms'].maxWorsePercent}% worse (and significant), ` +
  `completed throughput at most ` +
  `${GATE_DEFAULTS.relative['throughput.completedPerSecond'].maxWorsePercent}% lower ` +
  `(and significant), error rate at most ${GATE_DEFAULTS.absolute.errorRate * 100}%, no lost ` +
  `jobs, CER up at most ${GATE_DEFAULTS.increase.cer.maxIncrease * 100} points; ` +
  `alpha ${GATE_DEFAULTS.alpha}; relative checks need ${GATE_DEFAULTS.minTrials} or more ` +
  `trials per side. Thresholds: --gate FILE (a gate file, or a scenario's gate: section), ` +
  `else the candidate run's scenario file when it is unchanged, else the defaults. Exit ` +
  `codes: 0 pass, 1 regression, 2 usage or input error, or too few trials to judge a ` +
  `relative check, 3 a run is incomplete.`;

/** `ocrbench gate <baseline> <candidate>`: exit 1 when the candidate regressed. */
const command: CommandModule<object, GateArguments> = {
  command: 'gate <baseline> <candidate>',
  describe: 'Fail (exit 1) when the candidate breaks the regression thresholds',
  builder: (yargs) =>
    yargs
      .positional('baseline', { type: 'string', demandOption: true, describe: 'Run before' })
      .positional('candidate', { type: 'string', demandOption: true, describe: 'Run after' })
      .option('gate', {
        type: 'string',
        describe: 'Gate file (YAML or JSON) or a scenario with a gate: section (docs/compare.md)',
      })
      .option('junit', { type: 'string', describe: 'Write JUnit XML to this file' })
      .option('out', { type: 'string', describe: 'Also write comparison.json and validation.*' })
      .epilogue(defaults),
  handler: async (args) => {
    const { appendFile } = await import('node:fs/promises');
    const { loadRun } = await import('../compare/load-run.ts');
    const { loadGateFile } = await import('../compare/load-gate.ts');
    const { resolveGate } = await import('../compare/gate-schema.ts');
    const { evaluateGate } = await import('../compare/gate.ts');
    const { gateJunit } = await import('../report/junit.ts');
    const { gateMarkdown } = await import('../report/validation-gate.ts');
    const { writeFileAtomic } = await import('../util/atomic-write.ts');
    const { writeValidationReports } = await import('../report/validation-write.ts');

    const { gateFromRunScenario } = await import('../compare/load-gate.ts');

    const baseline = await loadRun(args.baseline);
    const candidate = await loadRun(args.candidate);
    const found = args.gate
      ? { file: await loadGateFile(args.gate), source: args.gate }
      : await gateFromRunScenario(candidate.run);
    const { assertWritableFile, assertWritableFolder } = await import('../util/writable.ts');
    if (args.junit) await assertWritableFile(args.junit, 'choose another --junit file');
    if (args.out) await assertWritableFolder(args.out, 'choose another --out');
    const gate = resolveGate(found?.file ?? {});
    process.stderr.write(`gate: thresholds from ${found?.source ?? 'the defaults'}\n`);
    const result = evaluateGate(baseline, candidate, gate, { allMetrics: Boolean(args.out) });
    const summary = gateMarkdown(result);
    process.stdout.write(summary);
    if (result.tooFewTrials !== null) {
      const code = result.exitCode === 2 ? 'E_GATE_TRIALS' : 'warning';
      process.stderr.write(`ocrbench gate: ${code}: ${result.tooFewTrials}\n`);
    }
    if (args.junit) await writeFileAtomic(args.junit, gateJunit(result));
    if (args.out) {
      await writeValidationReports(args.out, result.comparison, baseline.run, candidate.run);
    }
    const stepSummary = process.env.GITHUB_STEP_SUMMARY;
    if (stepSummary) await appendFile(stepSummary, `${summary}\n`);
    process.exitCode = result.exitCode;
  },
};

export default command;
