import type { CommandModule } from 'yargs';
import { EXIT } from './exit-codes.ts';

interface AbArguments {
  baseline: string;
  candidate: string;
  trials: number;
  out?: string;
  'baseline-fault'?: string;
  'candidate-fault'?: string;
}

/**
 * `ocrbench ab`: runs baseline and candidate one trial at a time in alternation
 * (A B A B ...), so drift of the machine over time hits both sides equally, then merges
 * each side's trials into one run and compares them.
 */
const command: CommandModule<object, AbArguments> = {
  command: 'ab',
  describe: 'Run baseline and candidate scenarios alternately (A B A B ...) and compare',
  builder: (yargs) =>
    yargs
      .option('baseline', { type: 'string', demandOption: true, describe: 'Baseline scenario' })
      .option('candidate', { type: 'string', demandOption: true, describe: 'Candidate scenario' })
      .option('trials', { type: 'number', demandOption: true, describe: 'Trials per side' })
      .option('out', { type: 'string', describe: 'Folder (default: reports/ab-<time>)' })
      .option('baseline-fault', { type: 'string', describe: 'Passed as --fault to baseline runs' })
      .option('candidate-fault', {
        type: 'string',
        describe: 'Passed as --fault to candidate runs',
      }),
  handler: async (args) => {
    const { runAlternating } = await import('../compare/ab-runner.ts');
    const { compareRuns } = await import('../compare/compare-runs.ts');
    const { comparisonTable } = await import('../report/validation-table.ts');
    const { writeValidationReports } = await import('../report/validation-write.ts');
    const { OcrbenchError } = await import('../util/errors.ts');
    if (!Number.isInteger(args.trials) || args.trials < 1) {
      throw new OcrbenchError(
        'E_USAGE',
        `--trials ${args.trials}: give a whole number of trials per side, 5 or more for ` +
          'verdicts (see docs/compare.md).',
      );
    }
    const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
    const outDir = args.out ?? `reports/ab-${stamp}`;
    const { baseline, candidate } = await runAlternating({
      outDir,
      trials: args.trials,
      baseline: { scenario: args.baseline, fault: args['baseline-fault'] },
      candidate: { scenario: args.candidate, fault: args['candidate-fault'] },
    });
    const comparison = compareRuns(baseline, candidate);
    await writeValidationReports(outDir, comparison, baseline.run, candidate.run);
    process.stdout.write(comparisonTable(comparison));
    process.stderr.write(`Wrote ${outDir}/{baseline,candidate}/run.json and the reports\n`);
    const incomplete = !baseline.run.complete || !candidate.run.complete;
    process.exitCode = incomplete ? EXIT.incomplete : EXIT.ok;
  },
};

export default command;
