import type { CommandModule } from 'yargs';
import { fileURLToPath } from 'node:url';
import runCommand from './run.ts';

const SMOKE = fileURLToPath(new URL('../../scenarios/smoke.yaml', import.meta.url));

/**
 * `ocrbench demo`: the main job on the built-in target. Generates the small dataset on
 * first use, starts the target on loopback, runs scenarios/smoke.yaml, stops the target.
 */
const command: CommandModule<object, { out: string; quiet: boolean }> = {
  command: 'demo',
  describe: 'Run scenarios/smoke.yaml against the built-in OCR target (no network needed)',
  builder: (yargs) =>
    yargs
      .option('out', { type: 'string', default: 'reports', describe: 'Folder for run folders' })
      .option('quiet', { type: 'boolean', default: false, describe: 'No progress line' }),
  handler: async (args) => {
    await runCommand.handler({
      ...args,
      scenario: SMOKE,
      json: false,
      _: [],
      $0: 'ocrbench',
    } as never);
  },
};

export default command;
