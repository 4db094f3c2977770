import type { CommandModule } from 'yargs';
import { EXIT } from './exit-codes.ts';
import { FAULT_NAMES } from '../scenario/schema.ts';
import { parseFaults } from './faults.ts';
import { checkNumberFlags, type NumberRule } from './numbers.ts';
import { runInterruptSignal } from './interrupt.ts';
import type { RunFile } from '../record/run-file.ts';

interface RunArguments {
  scenario: string;
  out: string;
  'run-id'?: string;
  force: boolean;
  trials?: number;
  'duration-seconds'?: number;
  jobs?: number;
  'target-url'?: string;
  fault?: string;
  json: boolean;
  quiet: boolean;
}

/** The numeric flags of `run`, as strict as the scenario fields they override. */
export const RUN_NUMBER_RULES: Record<string, NumberRule> = {
  trials: { integer: true, min: 1, hint: 'e.g. --trials 5' },
  'duration-seconds': { above: 0, hint: 'seconds, e.g. --duration-seconds 10' },
  jobs: { integer: true, min: 1, hint: 'measured jobs, e.g. --jobs 5' },
};

/** `ocrbench run <scenario>`: drives the target and writes reports/<run-id>/. */
const command: CommandModule<object, RunArguments> = {
  command: 'run <scenario>',
  describe: 'Run a scenario against its target and write reports/<run-id>/',
  builder: (yargs) =>
    yargs
      .positional('scenario', { type: 'string', demandOption: true, describe: 'Scenario file' })
      .option('out', {
        type: 'string',
        default: 'reports',
        requiresArg: true,
        describe: 'Folder for run folders',
      })
      .option('run-id', {
        type: 'string',
        requiresArg: true,
        describe:
          'Name of the run folder inside --out: letters, digits, . _ - (default: time-name); ' +
          'must not exist yet',
      })
      .option('force', {
        type: 'boolean',
        default: false,
        describe: 'Replace an existing run folder of the same --run-id',
      })
      .option('trials', {
        type: 'number',
        requiresArg: true,
        describe: "Override the scenario's trials (a whole number >= 1)",
      })
      .option('duration-seconds', {
        type: 'number',
        requiresArg: true,
        describe:
          'Override load.durationSeconds: stop starting jobs after S seconds (> 0); ' +
          'run.json then carries the load-overridden caveat',
      })
      .option('jobs', {
        type: 'number',
        requiresArg: true,
        describe:
          'Override load.jobs: stop after N measured jobs (a whole number >= 1); ' +
          'run.json then carries the load-overridden caveat',
      })
      .option('target-url', {
        type: 'string',
        requiresArg: true,
        describe: "Override the scenario's target.url",
      })
      .option('fault', {
        type: 'string',
        describe:
          `Built-in target faults, comma separated: ${FAULT_NAMES.join(', ')} ` +
          '(only with target.url: builtin)',
      })
      .option('json', { type: 'boolean', default: false, describe: 'Print run.json on stdout' })
      .option('quiet', { type: 'boolean', default: false, describe: 'No progress line' }),
  handler: async (args) => {
    // First, so a Ctrl-C while the modules below load still stops the run cleanly.
    const signal = runInterruptSignal();
    checkNumberFlags(args, RUN_NUMBER_RULES);
    const faults = args.fault === undefined ? undefined : parseFaults(args.fault);
    // Loaded here, not at the top, so `--help` and other commands start fast.
    const { runScenario } = await import('../run/run-scenario.ts');
    const { terminalSummary } = await import('../report/run-summary.ts');
    const showProgress = !args.quiet && process.stderr.isTTY === true;
    const { runDir, run, headline, errors } = await runScenario({
      scenarioFile: args.scenario,
      reportsDir: args.out,
      runId: args['run-id'],
      force: args.force,
      trials: args.trials,
      durationSeconds: args['duration-seconds'],
      jobs: args.jobs,
      targetUrl: args['target-url'],
      faults,
      signal,
      onProgress: showProgress ? (line) => process.stderr.write(`\r\x1b[K${line}`) : undefined,
    });
    if (showProgress) process.stderr.write('\r\x1b[K');
    if (args.json) process.stdout.write(`${JSON.stringify(run, null, 2)}\n`);
    else process.stdout.write(terminalSummary(run, runDir, headline, errors));
    process.exitCode = runExitCode(run);
    if (run.complete && process.exitCode === EXIT.incomplete) {
      process.stderr.write(
        `ocrbench: no job completed (${run.summary.jobs.submitted} submitted); the run ` +
          `measured failures only (exit code ${EXIT.incomplete}). See ${runDir}/summary.md.\n`,
      );
    }
  },
};

export default command;

/**
 * 0 when the run finished and measured completed jobs; 3 (incomplete) when it stopped early,
 * or when no job completed: a run of failures only has no latency or accuracy to report,
 * and a script checking the exit code must not take it for a measurement.
 */
export function runExitCode(run: RunFile): number {
  if (!run.complete) return EXIT.incomplete;
  return run.summary.jobs.completed > 0 ? EXIT.ok : EXIT.incomplete;
}
