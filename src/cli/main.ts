import yargs, { type CommandModule } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { isOcrbenchError } from '../util/errors.ts';
import { EXIT } from './exit-codes.ts';

// One command per file under src/cli/. Each exports a yargs CommandModule as default.
const commands = await Promise.all([
  import('./run.ts').then((m) => m.default),
  import('./demo.ts').then((m) => m.default),
  import('./target.ts').then((m) => m.default),
  import('./scenario.ts').then((m) => m.default),
  import('./diagnose.ts').then((m) => m.default),
  import('./compare.ts').then((m) => m.default),
  import('./gate.ts').then((m) => m.default),
  import('./baseline.ts').then((m) => m.default),
  import('./ab.ts').then((m) => m.default),
  import('./dataset.ts').then((m) => m.default),
]);

const cli = yargs(hideBin(process.argv))
  .scriptName('ocrbench')
  .usage('$0 <command> [options]\n\nLoad tests and benchmarks for asynchronous OCR services.')
  .strict()
  .demandCommand(1, 'Name a command; `ocrbench --help` lists them.')
  .recommendCommands()
  .help()
  .wrap(Math.min(100, process.stdout.columns ?? 100))
  .fail((message, error) => {
    if (error) throw error;
    process.stderr.write(`ocrbench: ${message}\nSee \`ocrbench <command> --help\`.\n`);
    process.exit(EXIT.usage);
  });

for (const command of commands) cli.command(command as CommandModule);

try {
  await cli.parseAsync();
} catch (error) {
  if (isOcrbenchError(error)) {
    process.stderr.write(`ocrbench: ${error.code}: ${error.message}\n`);
    process.exit(error.exitCode ?? EXIT.usage);
  }
  throw error;
}
