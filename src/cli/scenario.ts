import type { CommandModule } from 'yargs';
import { loadScenario } from '../scenario/load-scenario.ts';
import { scenarioJsonSchema } from '../scenario/json-schema.ts';
import { writeJsonAtomic } from '../util/atomic-write.ts';
import { isOcrbenchError } from '../util/errors.ts';
import { EXIT } from './exit-codes.ts';

/** `ocrbench scenario check|schema`: validate scenario files, publish the JSON Schema. */
const command: CommandModule = {
  command: 'scenario <action>',
  describe: 'Check scenario files, or write the JSON Schema for editors',
  builder: (yargs) =>
    yargs
      .command({
        command: 'check <files..>',
        describe: 'Validate scenario files; prints every problem with file, line and fix',
        handler: async (args) => {
          let failed = 0;
          for (const file of args.files as string[]) {
            try {
              const { scenario } = await loadScenario(file);
              process.stdout.write(`${file}: ok (${scenario.name}, ${scenario.load.model} load)\n`);
            } catch (error) {
              if (!isOcrbenchError(error)) throw error;
              failed++;
              process.stderr.write(`${error.message}\n`);
            }
          }
          process.exitCode = failed > 0 ? EXIT.usage : EXIT.ok;
        },
      })
      .command({
        command: 'schema',
        describe: 'Print the scenario JSON Schema, or write it with --write FILE',
        builder: (y) => y.option('write', { type: 'string', describe: 'File to write' }),
        handler: async (args) => {
          const schema = scenarioJsonSchema();
          if (typeof args.write === 'string') await writeJsonAtomic(args.write, schema);
          else process.stdout.write(`${JSON.stringify(schema, null, 2)}\n`);
        },
      })
      .demandCommand(1),
  handler: () => {},
};

export default command;
