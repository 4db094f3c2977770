import type { CommandModule } from 'yargs';
import { OcrbenchError } from '../util/errors.ts';

/** A command made of subcommands (`scenario check|schema`), which main.ts can list. */
export type CommandGroup = CommandModule & { subcommands: CommandModule[] };

/**
 * `<name> [command]` with the given subcommands. A missing or unknown subcommand is a usage
 * error (exit 2) that names the subcommands there are, instead of yargs' "Not enough
 * non-option arguments: got 0, need at least 1".
 */
export function commandGroup(
  name: string,
  describe: string,
  subcommands: CommandModule[],
): CommandGroup {
  const list = subcommands.map((sub) => `\`ocrbench ${name} ${String(sub.command)}\``);
  return {
    command: `${name} [command]`,
    describe,
    subcommands,
    builder: (yargs) => {
      for (const sub of subcommands) yargs.command(sub);
      return yargs;
    },
    handler: (args) => {
      const given = args.command;
      const problem =
        given === undefined ? 'name a subcommand' : `unknown subcommand "${String(given)}"`;
      throw new OcrbenchError(
        'E_USAGE',
        `${name}: ${problem}. ` +
          `Use ${list.join(' or ')}; \`ocrbench ${name} --help\` says more.`,
      );
    },
  };
}
