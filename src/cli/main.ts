// First: a Ctrl-C during `run` must be caught before the commands below are loaded.
import { installRunInterrupts } from './interrupt.ts';
import yargs, { type CommandModule } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { isOcrbenchError } from '../util/errors.ts';
import { fileSystemReason, isFileSystemError } from '../util/writable.ts';
import { EXIT } from './exit-codes.ts';
import { usageMessage } from './usage-message.ts';
import { joinDashValues } from './argv.ts';
import type { CommandGroup } from './subcommands.ts';

installRunInterrupts();

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

const argv = joinDashValues(hideBin(process.argv));
const cli = yargs(argv)
  .scriptName('ocrbench')
  .usage('$0 <command> [options]\n\nLoad tests and benchmarks for asynchronous OCR services.')
  // Options are spelled one way (--run-id); without this, yargs also accepts --runId and
  // names every unknown option twice ("Unknown arguments: bogus-flag, bogusFlag").
  .parserConfiguration({ 'camel-case-expansion': false })
  .strict()
  .demandCommand(1, 'Name a command; `ocrbench --help` lists them.')
  .recommendCommands()
  .help()
  .wrap(Math.min(100, process.stdout.columns ?? 100))
  .fail((message, error) => {
    // yargs' own parse errors (YError, e.g. a flag without its value) are usage errors too.
    if (error && error.name !== 'YError') throw error;
    const text = message ?? error?.message ?? 'bad arguments';
    process.stderr.write(`ocrbench: ${usageMessage(text, argv, commandUsages())}\n`);
    process.exit(EXIT.usage);
  });

for (const command of commands) cli.command(command as CommandModule);

/** "run" -> "run <scenario>", "scenario check" -> "check <files..>": for usage errors. */
function commandUsages(): Record<string, string> {
  const usages: Record<string, string> = {};
  for (const command of commands as CommandModule[]) {
    const name = String(command.command).split(' ')[0];
    usages[name] = String(command.command);
    for (const sub of (command as Partial<CommandGroup>).subcommands ?? []) {
      usages[`${name} ${String(sub.command).split(' ')[0]}`] = String(sub.command);
    }
  }
  return usages;
}

try {
  await cli.parseAsync();
} catch (error) {
  if (isOcrbenchError(error)) {
    process.stderr.write(`ocrbench: ${error.code}: ${error.message}\n`);
    process.exit(error.exitCode ?? EXIT.usage);
  }
  // A file the command had to write or read and could not: one line, not a stack trace.
  if (isFileSystemError(error) && error.path) {
    const syscall = error.syscall ?? '';
    const verb = /^(read|scandir|stat|lstat|access)$/.test(syscall)
      ? 'cannot read'
      : syscall === 'open'
        ? 'cannot open'
        : 'cannot write to';
    process.stderr.write(
      `ocrbench: E_OUTPUT: ${verb} ${error.path}: ${fileSystemReason(error)}.\n`,
    );
    process.exit(EXIT.usage);
  }
  throw error;
}
