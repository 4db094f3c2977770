import type { CommandModule } from 'yargs';
import { datasetProblems, loadScenario } from '../scenario/load-scenario.ts';
import { scenarioJsonSchema } from '../scenario/json-schema.ts';
import { folderWarnings } from '../scenario/observe-paths.ts';
import { plural } from '../util/plural.ts';
import { writeJsonAtomic } from '../util/atomic-write.ts';
import { isOcrbenchError } from '../util/errors.ts';
import { assertWritableFile } from '../util/writable.ts';
import { EXIT } from './exit-codes.ts';
import { commandGroup } from './subcommands.ts';

const check: CommandModule = {
  command: 'check <files..>',
  describe:
    'Validate scenario files and their datasets; prints every problem with file, line and fix',
  handler: async (args) => {
    let failed = 0;
    for (const file of args.files as string[]) {
      try {
        const loaded = await loadScenario(file);
        const problems = await datasetProblems(loaded);
        if (problems.length > 0) {
          failed++;
          process.stderr.write(`${problems.join('\n')}\n`);
          continue;
        }
        const warnings = folderWarnings(loaded);
        if (warnings.length > 0) process.stderr.write(`${warnings.join('\n')}\n`);
        const { scenario } = loaded;
        const warned = warnings.length > 0 ? `, ${plural(warnings.length, 'warning')}` : '';
        process.stdout.write(
          `${file}: ok (${scenario.name}, ${scenario.load.model} load${warned})\n`,
        );
      } catch (error) {
        if (!isOcrbenchError(error)) throw error;
        failed++;
        process.stderr.write(`${error.message}\n`);
      }
    }
    process.exitCode = failed > 0 ? EXIT.usage : EXIT.ok;
  },
};

const schema: CommandModule = {
  command: 'schema',
  describe: 'Print the scenario JSON Schema, or write it with --write FILE',
  builder: (y) =>
    y.option('write', { type: 'string', requiresArg: true, describe: 'File to write' }),
  handler: async (args) => {
    const json = scenarioJsonSchema();
    if (typeof args.write === 'string') {
      await assertWritableFile(args.write, 'choose another --write file');
      await writeJsonAtomic(args.write, json);
    } else process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  },
};

/** `ocrbench scenario check|schema`: validate scenario files, publish the JSON Schema. */
export default commandGroup(
  'scenario',
  'Check scenario files, or write the JSON Schema for editors',
  [check, schema],
);
