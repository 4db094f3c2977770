import { readFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { debug } from '../util/log.ts';

/**
 * Small readers of Linux /proc files. Every reader returns null when the file is missing or
 * unreadable (the process ended, or we lack permission) so samplers can go on.
 */

export async function readText(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return null;
  }
}

/** The fields of /proc/PID/stat that the samplers use. CPU times are in clock ticks. */
export interface ProcStat {
  pid: number;
  parentPid: number;
  userTicks: number;
  systemTicks: number;
  /** Process start, clock ticks after boot: with the pid it tells a reused pid apart. */
  startTicks: number;
}

/** Parses /proc/PID/stat. The command name sits in parentheses and may hold spaces. */
export function parseProcStat(pid: number, text: string): ProcStat | null {
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  // After ")": state(3) ppid(4) ... utime(14) stime(15) ... starttime(22), 1-based.
  const fields = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  const parentPid = Number(fields[1]);
  const userTicks = Number(fields[11]);
  const systemTicks = Number(fields[12]);
  const startTicks = Number(fields[19]);
  if (![parentPid, userTicks, systemTicks, startTicks].every(Number.isFinite)) return null;
  return { pid, parentPid, userTicks, systemTicks, startTicks };
}

/** Reads `Key:   1234 kB` style files (/proc/meminfo, /proc/PID/status) into bytes. */
export function parseKilobyteFields(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^(\w+):\s+(\d+)\s*(kB)?/.exec(line);
    if (match) values.set(match[1], Number(match[2]) * (match[3] ? 1024 : 1));
  }
  return values;
}

/** Reads `key: value` lines of /proc/PID/io. */
export function parseIo(text: string): { readBytes: number; writeBytes: number } | null {
  const read = /^read_bytes:\s*(\d+)/m.exec(text);
  const write = /^write_bytes:\s*(\d+)/m.exec(text);
  if (!read || !write) return null;
  return { readBytes: Number(read[1]), writeBytes: Number(write[1]) };
}

let clockTicksPerSecond: number | null = null;

/**
 * USER_HZ, the unit of CPU times in /proc. It is 100 on every mainstream Linux build;
 * `getconf CLK_TCK` is asked once to be sure, and 100 is assumed when it cannot answer.
 */
export function clockTicks(): number {
  if (clockTicksPerSecond !== null) return clockTicksPerSecond;
  clockTicksPerSecond = 100;
  try {
    const answer = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    if (Number.isInteger(answer) && answer > 0) clockTicksPerSecond = answer;
  } catch (error) {
    debug('observe: getconf CLK_TCK failed, assuming 100: %s', String(error));
  }
  return clockTicksPerSecond;
}
