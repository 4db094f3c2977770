import type { CommandModule } from 'yargs';
import { COMPARE_DEFAULTS } from '../compare/defaults.ts';
import { EXIT } from './exit-codes.ts';
import { checkNumberFlags } from './numbers.ts';
import { assertWritableFolder } from '../util/writable.ts';

interface CompareArguments {
  baseline: string;
  candidate: string;
  out?: string;
  json: boolean;
  alpha: number;
  resamples: number;
  seed: number;
  'min-trials': number;
}

/** `ocrbench compare <baseline> <candidate>`: verdicts, comparison.json, validation.md/html. */
const command: CommandModule<object, CompareArguments> = {
  command: 'compare <baseline> <candidate>',
  describe: 'Compare two runs (folders, run.json files or saved baseline names)',
  builder: (yargs) =>
    yargs
      .positional('baseline', { type: 'string', demandOption: true, describe: 'Run before' })
      .positional('candidate', { type: 'string', demandOption: true, describe: 'Run after' })
      .option('out', {
        type: 'string',
        describe: 'Folder for the reports (default: reports/compare-<baseline>--<candidate>)',
      })
      .option('json', { type: 'boolean', default: false, describe: 'Print comparison.json' })
      .option('alpha', {
        type: 'number',
        default: COMPARE_DEFAULTS.alpha,
        describe: 'Significance level per family of metrics (Holm-corrected)',
      })
      .option('resamples', {
        type: 'number',
        default: COMPARE_DEFAULTS.resamples,
        describe: 'Bootstrap resamples per interval',
      })
      .option('seed', { type: 'number', default: COMPARE_DEFAULTS.seed, describe: 'PRNG seed' })
      .option('min-trials', {
        type: 'number',
        default: COMPARE_DEFAULTS.minTrials,
        describe: 'Fewest trials per side for trial-level statistics',
      }),
  handler: async (args) => {
    const { loadRun } = await import('../compare/load-run.ts');
    const { compareRuns } = await import('../compare/compare-runs.ts');
    const { comparisonTable } = await import('../report/validation-table.ts');
    const { writeValidationReports, defaultComparisonDir } =
      await import('../report/validation-write.ts');
    checkNumberFlags(args, {
      alpha: { above: 0, below: 0.5, hint: `default ${COMPARE_DEFAULTS.alpha}` },
      resamples: { integer: true, min: 100, hint: `default ${COMPARE_DEFAULTS.resamples}` },
      seed: { integer: true, min: 0 },
      'min-trials': { integer: true, min: 2, hint: `default ${COMPARE_DEFAULTS.minTrials}` },
    });
    if (args.out !== undefined) await assertWritableFolder(args.out, 'choose another --out');
    const baseline = await loadRun(args.baseline);
    const candidate = await loadRun(args.candidate);
    const comparison = compareRuns(baseline, candidate, {
      alpha: args.alpha,
      resamples: args.resamples,
      seed: args.seed,
      minTrials: args['min-trials'],
    });
    const outDir = args.out ?? defaultComparisonDir('reports', comparison);
    if (args.out === undefined) await assertWritableFolder(outDir, 'pass --out');
    const files = await writeValidationReports(outDir, comparison, baseline.run, candidate.run);
    if (args.json) process.stdout.write(`${JSON.stringify(comparison, null, 2)}\n`);
    else process.stdout.write(comparisonTable(comparison));
    process.stderr.write(`Wrote ${files.join(', ')}\n`);
    process.exitCode = EXIT.ok;
  },
};

export default command;
