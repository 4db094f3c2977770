import type { CommandModule } from 'yargs';
import { EXIT } from './exit-codes.ts';

interface BaselineArguments {
  action: string;
  run?: string;
  name?: string;
  force: boolean;
  json: boolean;
}

/** `ocrbench baseline save <run> --name N` and `ocrbench baseline list`. */
const command: CommandModule<object, BaselineArguments> = {
  command: 'baseline <action> [run]',
  describe: 'Save a run as a named baseline (baselines/<name>/), or list saved baselines',
  builder: (yargs) =>
    yargs
      .positional('action', { type: 'string', choices: ['save', 'list'], demandOption: true })
      .positional('run', { type: 'string', describe: 'Run folder or run.json (for save)' })
      .option('name', { type: 'string', describe: 'Baseline name, e.g. main (for save)' })
      .option('force', { type: 'boolean', default: false, describe: 'Replace an existing one' })
      .option('json', { type: 'boolean', default: false, describe: 'List as JSON' }),
  handler: async (args) => {
    const { saveBaseline, listBaselines, baselinesDir } = await import('../compare/baselines.ts');
    const { OcrbenchError } = await import('../util/errors.ts');
    if (args.action === 'save') {
      if (!args.run || !args.name) {
        throw new OcrbenchError(
          'E_USAGE',
          'baseline save needs a run and a name: ' +
            'ocrbench baseline save reports/<run-id> --name main',
        );
      }
      const { dir, info } = await saveBaseline(args.run, args.name, { force: args.force });
      process.stdout.write(
        `Saved ${info.runId} (${info.trials} trials) as baseline ` + `${info.name} in ${dir}\n`,
      );
    } else {
      const list = await listBaselines();
      if (args.json) process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
      else if (list.length === 0) process.stdout.write(`No baselines in ${baselinesDir()}\n`);
      else {
        for (const b of list) {
          process.stdout.write(
            `${b.name.padEnd(20)} ${b.runId}  ${b.scenario}  ` +
              `${b.trials} trials  run ${b.runStartedAt}  saved ${b.savedAt || '?'}\n`,
          );
        }
      }
    }
    process.exitCode = EXIT.ok;
  },
};

export default command;
