import type { CommandModule } from 'yargs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { EXIT } from './exit-codes.ts';
import { OcrbenchError } from '../util/errors.ts';
import { plural } from '../util/plural.ts';

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
    if (args.action === 'save') {
      if (!args.run || !args.name) {
        throw new OcrbenchError(
          'E_USAGE',
          'baseline save needs a run and a name: ' +
            'ocrbench baseline save reports/<run-id> --name main',
        );
      }
      await assertRunThere(args.run);
      const { dir, info } = await saveBaseline(args.run, args.name, { force: args.force });
      process.stdout.write(
        `Saved ${info.runId} (${plural(info.trials, 'trial')}) as baseline ${info.name} in ` +
          `${dir}\n`,
      );
    } else {
      const list = await listBaselines();
      if (args.json) process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
      else if (list.length === 0) process.stdout.write(`No baselines in ${baselinesDir()}\n`);
      else {
        for (const b of list) {
          process.stdout.write(
            `${b.name.padEnd(20)} ${b.runId}  ${b.scenario}  ` +
              `${plural(b.trials, 'trial')}  run ${b.runStartedAt}  saved ${b.savedAt || '?'}\n`,
          );
        }
      }
    }
    process.exitCode = EXIT.ok;
  },
};

export default command;

/**
 * The run to save must exist: a folder without run.json (an empty or wrong folder) is not
 * a run that broke while writing, and saying so sends the user looking in the wrong place.
 */
async function assertRunThere(run: string): Promise<void> {
  const fix =
    'Fix: name a run folder, e.g. reports/<run-id> (`ls reports` lists them), or its run.json.';
  const info = await stat(run).catch(() => null);
  if (info === null) {
    throw new OcrbenchError('E_RUN_FILE', `${run}: no such run folder or file. ${fix}`);
  }
  if (info.isDirectory() && (await stat(join(run, 'run.json')).catch(() => null)) === null) {
    throw new OcrbenchError(
      'E_RUN_FILE',
      `${run}: no run.json there, so this is not a run folder (a run writes run.json when ` +
        `it ends, also when stopped early). ${fix}`,
    );
  }
}
