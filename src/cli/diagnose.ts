import type { CommandModule } from 'yargs';
import { OcrbenchError } from '../util/errors.ts';
import { EXIT } from './exit-codes.ts';

interface DiagnoseArguments {
  'run-dir'?: string;
  results?: string;
  json: boolean;
}

/** `ocrbench diagnose <run-dir>` and `ocrbench diagnose --results <folder>`. */
const command: CommandModule<object, DiagnoseArguments> = {
  command: 'diagnose [run-dir]',
  describe:
    'Write <run-dir>/diagnosis.md: where the largest delay is, and why (Phase 1). ' +
    "With --results, summarise a folder of the service's result files instead",
  builder: (yargs) =>
    yargs
      .positional('run-dir', { type: 'string', describe: 'Run folder holding run.json' })
      .option('results', {
        type: 'string',
        describe: 'Folder of resultados_ocr_*.json / resultados_BATCH_*.json to analyse alone',
      })
      .option('json', { type: 'boolean', default: false, describe: 'Print JSON on stdout' }),
  handler: async (args) => {
    if (args.results !== undefined) {
      const { analyseResultsFolder } = await import('../analyze/result-files.ts');
      const { analysis, markdown } = await analyseResultsFolder(args.results);
      process.stdout.write(args.json ? `${JSON.stringify(analysis, null, 2)}\n` : markdown);
      process.exitCode = EXIT.ok;
      return;
    }
    if (args['run-dir'] === undefined) {
      throw new OcrbenchError(
        'E_USAGE',
        'diagnose needs a run folder (`ocrbench diagnose reports/<run-id>`) or ' +
          '`--results <folder>`.',
      );
    }
    const { diagnoseRunFolder } = await import('../analyze/diagnose-run.ts');
    const { diagnosis, markdownPath, badJobLines } = await diagnoseRunFolder(args['run-dir']);
    if (badJobLines > 0) {
      process.stderr.write(`ocrbench: skipped ${badJobLines} unreadable lines of the job log\n`);
    }
    if (args.json) {
      process.stdout.write(`${JSON.stringify(diagnosis, null, 2)}\n`);
    } else {
      process.stdout.write(`${diagnosis.headline}\n`);
      for (const finding of diagnosis.findings.filter((one) => one.severity !== 'info')) {
        process.stdout.write(`  ${finding.severity}: ${finding.title}\n`);
      }
      process.stdout.write(`Report: ${markdownPath}\n`);
    }
    process.exitCode = EXIT.ok;
  },
};

export default command;
