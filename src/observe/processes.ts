import { readdir } from 'node:fs/promises';
import type { ProcessSeries } from '../record/run-file.ts';
import {
  clockTicks,
  parseIo,
  parseKilobyteFields,
  parseProcStat,
  readText,
  type ProcStat,
} from './proc-files.ts';

/** Which processes to watch: PIDs with all their descendants, and a command-line regex. */
export interface ProcessSelection {
  pids: number[];
  commandPattern: string | null;
}

interface Previous {
  atMs: number;
  /** Seconds since boot at this sample, from /proc/uptime. */
  uptimeSeconds: number;
  /** Keyed `pid:startTicks`, so a reused pid is never taken for the old process. */
  byProcess: Map<string, { ticks: number; readBytes: number; writeBytes: number }>;
}

/** Every pid in /proc with its stat, read once per sample. */
async function readAllStats(): Promise<Map<number, ProcStat>> {
  const stats = new Map<number, ProcStat>();
  const names = await readdir('/proc');
  await Promise.all(
    names
      .filter((name) => /^\d+$/.test(name))
      .map(async (name) => {
        const pid = Number(name);
        const text = await readText(`/proc/${pid}/stat`);
        const stat = text === null ? null : parseProcStat(pid, text);
        if (stat) stats.set(pid, stat);
      }),
  );
  return stats;
}

/** Step 1 of a sample: the watched set = given pids + descendants + command matches. */
async function selectProcesses(
  selection: ProcessSelection,
  stats: Map<number, ProcStat>,
  pattern: RegExp | null,
): Promise<number[]> {
  const children = new Map<number, number[]>();
  for (const stat of stats.values()) {
    const siblings = children.get(stat.parentPid) ?? [];
    siblings.push(stat.pid);
    children.set(stat.parentPid, siblings);
  }

  const chosen = new Set<number>();
  const stack = selection.pids.filter((pid) => stats.has(pid));
  while (stack.length > 0) {
    const pid = stack.pop() as number;
    if (chosen.has(pid)) continue;
    chosen.add(pid);
    stack.push(...(children.get(pid) ?? []));
  }

  if (pattern) {
    await Promise.all(
      [...stats.keys()].map(async (pid) => {
        // ocrbench itself is the load generator, never the target, even if it matches.
        if (pid === process.pid || chosen.has(pid)) return;
        const commandLine = await readText(`/proc/${pid}/cmdline`);
        if (commandLine && pattern.test(commandLine.replaceAll('\0', ' ').trim())) {
          chosen.add(pid);
        }
      }),
    );
  }
  return [...chosen];
}

export function describeSelection(selection: ProcessSelection): string {
  const parts: string[] = [];
  if (selection.pids.length > 0) {
    parts.push(`pid ${selection.pids.join(', ')} and children`);
  }
  if (selection.commandPattern) parts.push(`command ~ /${selection.commandPattern}/`);
  return parts.join(' + ') || 'nothing';
}

/**
 * Samples CPU, RSS and I/O of a set of processes from /proc (Linux only).
 * CPU is summed over the set: 100 = one full core. Limits: a process that starts and ends
 * between two samples is missed; RSS sums count shared pages once per process.
 */
export class ProcessSampler {
  readonly series: ProcessSeries;
  /** Samples in which some process's /proc/PID/io could not be read (permissions). */
  ioUnreadableSamples = 0;
  private readonly pattern: RegExp | null;
  private previous: Previous | null = null;

  constructor(private readonly selection: ProcessSelection) {
    this.pattern = selection.commandPattern ? new RegExp(selection.commandPattern) : null;
    this.series = {
      selector: describeSelection(selection),
      tSeconds: [],
      processCount: [],
      cpuPercent: [],
      rssBytes: [],
      readBytesPerSecond: [],
      writeBytesPerSecond: [],
    };
  }

  async sample(tSeconds: number): Promise<void> {
    const atMs = performance.now();
    const uptimeText = await readText('/proc/uptime');
    const uptimeSeconds = uptimeText ? Number(uptimeText.split(' ')[0]) : 0;
    const stats = await readAllStats();
    const pids = await selectProcesses(this.selection, stats, this.pattern);
    const ticksPerSecond = clockTicks();

    // Step 2: read each process; deltas against the previous sample of the same process.
    const byProcess: Previous['byProcess'] = new Map();
    let cpuTicks = 0;
    let rssBytes = 0;
    let readBytes = 0;
    let writeBytes = 0;
    let ioUnreadable = false;
    await Promise.all(
      pids.map(async (pid) => {
        const stat = stats.get(pid) as ProcStat;
        const status = await readText(`/proc/${pid}/status`);
        const ioText = await readText(`/proc/${pid}/io`);
        const io = ioText ? parseIo(ioText) : null;
        if (!io) ioUnreadable = true;
        if (!status) return; // vanished since the stat was read
        rssBytes += parseKilobyteFields(status).get('VmRSS') ?? 0;

        const ticks = stat.userTicks + stat.systemTicks;
        const now = { ticks, readBytes: io?.readBytes ?? 0, writeBytes: io?.writeBytes ?? 0 };
        const key = `${pid}:${stat.startTicks}`;
        byProcess.set(key, now);
        const before = this.previous?.byProcess.get(key);
        if (before) {
          cpuTicks += ticks - before.ticks;
          readBytes += Math.max(0, now.readBytes - before.readBytes);
          writeBytes += Math.max(0, now.writeBytes - before.writeBytes);
        } else if (
          this.previous &&
          stat.startTicks / ticksPerSecond >= this.previous.uptimeSeconds
        ) {
          // Born since the last sample: all of its work happened in this interval.
          cpuTicks += ticks;
          readBytes += now.readBytes;
          writeBytes += now.writeBytes;
        }
      }),
    );
    if (ioUnreadable && pids.length > 0) this.ioUnreadableSamples++;

    const previous = this.previous;
    this.previous = { atMs, uptimeSeconds, byProcess };
    // The first sample is only the baseline for rates: a 0% point would be a lie.
    if (!previous) return;
    const elapsedSeconds = (atMs - previous.atMs) / 1000;
    const perSecond = (value: number) => (elapsedSeconds > 0 ? value / elapsedSeconds : 0);
    this.series.tSeconds.push(tSeconds);
    this.series.processCount.push(pids.length);
    this.series.cpuPercent.push(round(perSecond((cpuTicks / ticksPerSecond) * 100)));
    this.series.rssBytes.push(rssBytes);
    this.series.readBytesPerSecond.push(Math.round(perSecond(readBytes)));
    this.series.writeBytesPerSecond.push(Math.round(perSecond(writeBytes)));
  }
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
