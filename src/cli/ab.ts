import type { CommandModule } from 'yargs';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT } from './exit-codes.ts';
import { checkNumberFlags } from './numbers.ts';
import { assertWritableFolder } from '../util/writable.ts';

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
      .option('trials', {
        type: 'number',
        demandOption: true,
        requiresArg: true,
        describe: 'Trials per side (a whole number >= 1)',
      })
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
    checkNumberFlags(args, {
      trials: { integer: true, min: 1, hint: 'trials per side; 5 or more for verdicts' },
    });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
    const outDir = args.out ?? `reports/ab-${stamp}`;
    // Checked before the first trial: hours of alternating runs must not end unwritable.
    await assertWritableFolder(outDir, 'choose another --out');
    if (existsSync(join(outDir, 'trials'))) {
      const { OcrbenchError } = await import('../util/errors.ts');
      throw new OcrbenchError(
        'E_USAGE',
        `--out ${outDir}: holds an earlier ab run (${join(outDir, 'trials')}). Fix: choose ` +
          'another --out, or remove that folder.',
      );
    }
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
