import type { CommandModule } from 'yargs';
import { EXIT } from './exit-codes.ts';
import { FAULT_NAMES } from '../scenario/schema.ts';
import { parseFaults } from './faults.ts';

interface RunArguments {
  scenario: string;
  out: string;
  'run-id'?: string;
  trials?: number;
  'target-url'?: string;
  fault?: string;
  json: boolean;
  quiet: boolean;
}

/** `ocrbench run <scenario>`: drives the target and writes reports/<run-id>/. */
const command: CommandModule<object, RunArguments> = {
  command: 'run <scenario>',
  describe: 'Run a scenario against its target and write reports/<run-id>/',
  builder: (yargs) =>
    yargs
      .positional('scenario', { type: 'string', demandOption: true, describe: 'Scenario file' })
      .option('out', { type: 'string', default: 'reports', describe: 'Folder for run folders' })
      .option('run-id', { type: 'string', describe: 'Name of the run folder (default: time-name)' })
      .option('trials', { type: 'number', describe: "Override the scenario's trials" })
      .option('target-url', { type: 'string', describe: "Override the scenario's target.url" })
      .option('fault', {
        type: 'string',
        describe: `Built-in target faults, comma separated: ${FAULT_NAMES.join(', ')}`,
      })
      .option('json', { type: 'boolean', default: false, describe: 'Print run.json on stdout' })
      .option('quiet', { type: 'boolean', default: false, describe: 'No progress line' }),
  handler: async (args) => {
    // Loaded here, not at the top, so `--help` and other commands start fast.
    const { runScenario } = await import('../run/run-scenario.ts');
    const { terminalSummary } = await import('../report/run-summary.ts');
    const faults = args.fault === undefined ? undefined : parseFaults(args.fault);
    const showProgress = !args.quiet && process.stderr.isTTY === true;
    const { signal, dispose } = interruptSignal();
    try {
      const { runDir, run, headline } = await runScenario({
        scenarioFile: args.scenario,
        reportsDir: args.out,
        runId: args['run-id'],
        trials: args.trials,
        targetUrl: args['target-url'],
        faults,
        signal,
        onProgress: showProgress ? (line) => process.stderr.write(`\r\x1b[K${line}`) : undefined,
      });
      if (showProgress) process.stderr.write('\r\x1b[K');
      if (args.json) process.stdout.write(`${JSON.stringify(run, null, 2)}\n`);
      else process.stdout.write(terminalSummary(run, runDir, headline));
      process.exitCode = run.complete ? EXIT.ok : EXIT.incomplete;
    } finally {
      dispose();
    }
  },
};

export default command;

/**
 * First Ctrl-C (or SIGTERM): stop starting jobs, account for those in flight, write the
 * reports, exit 3. A second Ctrl-C exits at once.
 */
function interruptSignal(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(EXIT.incomplete);
    process.stderr.write(
      '\nocrbench: stopping; writing what was measured (Ctrl-C again to quit)\n',
    );
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
