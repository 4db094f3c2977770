import type { RunFile } from '../record/run-file.ts';
import { average, format, queueRates } from './series-math.ts';

const maximum = (values: number[]) => (values.length === 0 ? 0 : Math.max(...values));

/**
 * One table row per trial of what the samplers saw, so a reader can check the findings
 * against the raw numbers. Columns without data print `-`.
 */
export function renderResourceTable(run: RunFile): string[] {
  const rows = run.trials.map((trial) => {
    const { queue, processes, host } = trial.observations;
    const rates = queue ? queueRates(queue) : null;
    const cells = [
      `${trial.index}`,
      rates
        ? `${format.rate(rates.addedPerSecond)} / ${format.rate(rates.consumedPerSecond)}`
        : '-',
      rates ? `${rates.firstPending} -> ${rates.lastPending}` : '-',
      processes && processes.cpuPercent.length > 0
        ? `${average(processes.cpuPercent).toFixed(0)}% / ${maximum(processes.cpuPercent)}%`
        : '-',
      processes && processes.rssBytes.length > 0
        ? `${format.mib(processes.rssBytes[0])} -> ${format.mib(processes.rssBytes.at(-1) ?? 0)}`
        : '-',
      processes && processes.writeBytesPerSecond.length > 0
        ? `${format.mib(average(processes.writeBytesPerSecond))}/s`
        : '-',
      host && host.cpuPercent.length > 0 ? `${average(host.cpuPercent).toFixed(0)}%` : '-',
      host && host.diskWriteBytesPerSecond.length > 0
        ? `${format.mib(average(host.diskWriteBytesPerSecond))}/s`
        : '-',
    ];
    return `| ${cells.join(' | ')} |`;
  });
  if (rows.every((row) => /^\| \d+ (\| - )+\|$/.test(row))) return [];
  return [
    '## What the samplers saw',
    '',
    'Target CPU: 100% = one core (mean / max). Host CPU: 100% = all cores.',
    '',
    '| trial | queue added / consumed per s | pending | target CPU | target RSS | ' +
      'target writes | host CPU | host disk writes |',
    `|${' --- |'.repeat(8)}`,
    ...rows,
    '',
  ];
}
