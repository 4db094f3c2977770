import { hideBin } from 'yargs/helpers';
import { killSpawnedTargets } from '../target/spawn.ts';
import { EXIT } from './exit-codes.ts';

/** Commands that run load and so must turn Ctrl-C into "stop and write what was measured". */
const RUN_COMMANDS = new Set(['run', 'demo']);

let controller: AbortController | null = null;

/**
 * Called by main.ts before the commands load, so a Ctrl-C that arrives while a run is still
 * starting (loading modules, generating the dataset, starting the target) is not lost: the
 * default action would kill the process (exit 130) and write nothing.
 *
 * First Ctrl-C (or SIGTERM): abort the signal that `run` passes to the pipeline, which stops
 * starting jobs, accounts for those in flight, writes the reports and exits 3. A second one
 * exits at once, after killing the built-in target's process so it is not left running.
 * Other commands keep Node's default handling.
 */
export function installRunInterrupts(argv: string[] = hideBin(process.argv)): void {
  const command = argv.find((token) => !token.startsWith('-'));
  if (controller || command === undefined || !RUN_COMMANDS.has(command)) return;
  const ownController = new AbortController();
  controller = ownController;
  const onSignal = () => {
    if (ownController.signal.aborted) {
      process.stderr.write('\nocrbench: stopped at once; the run was not written\n');
      killSpawnedTargets();
      process.exit(EXIT.incomplete);
    }
    process.stderr.write(
      '\nocrbench: stopping; writing what was measured (Ctrl-C again to quit)\n',
    );
    ownController.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

/**
 * The signal `run` stops on: aborted already when Ctrl-C came before the run started.
 * Without installRunInterrupts (a handler called directly), a fresh one is installed.
 */
export function runInterruptSignal(): AbortSignal {
  if (!controller) installRunInterrupts(['run']);
  return controller!.signal;
}
