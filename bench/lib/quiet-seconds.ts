import { readdirSync, readFileSync } from 'node:fs';

// CPU accounting for benchmarks on a shared machine: which seconds other processes left
// quiet, and how much of each page's work fell in them (bench/worker-scaling.ts).

/** Cores other processes may keep busy in a second for it to count as quiet. */
export const NOISE_CORES = 0.1;
/** Clock ticks a second in /proc (USER_HZ; 100 on Linux builds in practice). */
const TICKS_PER_SECOND = 100;

/** CPU ticks the whole machine spent busy (all but idle and iowait; steal included). */
export function machineBusyTicks(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
  const ticks = fields.slice(1).map(Number);
  const total = ticks.reduce((sum, t) => sum + t, 0);
  return total - (ticks[3] ?? 0) - (ticks[4] ?? 0);
}

/** Fields of /proc/<pid>/stat after the command name; null once the process is gone. */
function statFields(pid: number | string): string[] | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/**
 * CPU ticks of this process and the target: all their threads (the tesseract.js workers
 * too), their children that have exited (cutime, cstime) and those still running (the
 * tesseract processes of tesseract-cli).
 */
export function ownTicks(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    const fields = statFields(pid);
    // utime, stime, cutime, cstime: fields 14-17 of the line, 11-14 after the name.
    if (fields) ticks += [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
  }
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || pids.includes(Number(name))) continue;
    const fields = statFields(name);
    // ppid is field 4 of the line, 1 after the name.
    if (fields && pids.includes(Number(fields[1]))) {
      ticks += [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
    }
  }
  return ticks;
}

export interface Sample {
  /** Date.now(), the clock of the target's timestamps. */
  at: number;
  machine: number;
  own: number;
}

export interface Page {
  start: number;
  finish: number;
  processing: number;
}

/** Pages processed in [from, to]: a page straddling an edge counts by its share inside. */
export function workIn(pages: Page[], from: number, to: number): number {
  let work = 0;
  for (const page of pages) {
    const overlap = Math.min(page.finish, to) - Math.max(page.start, from);
    if (overlap <= 0) continue;
    work += page.finish > page.start ? overlap / (page.finish - page.start) : 1;
  }
  return work;
}

/** Cores others kept busy between sample i and i + 1. */
export function otherCores(samples: Sample[]): number[] {
  return samples.slice(1).map((sample, i) => {
    const before = samples[i]!;
    const seconds = (sample.at - before.at) / 1000;
    const others = sample.machine - before.machine - (sample.own - before.own);
    return Math.max(0, others / TICKS_PER_SECOND / seconds);
  });
}

/**
 * [from, to] of the seconds counted: seconds after `from` in a quiet stretch (a run of
 * quiet seconds) in which every page at work began and ended inside that stretch. A page
 * that began or ended while others were busy may have been slowed by them, so the seconds
 * it overlaps are left out.
 */
export function cleanSeconds(
  samples: Sample[],
  pages: Page[],
  from: number,
): Array<[number, number]> {
  const others = otherCores(samples);
  const seconds: Array<[number, number]> = [];
  for (let i = 0; i < others.length;) {
    if (others[i]! > NOISE_CORES) {
      i++;
      continue;
    }
    let end = i;
    while (end < others.length && others[end]! <= NOISE_CORES) end++;
    const stretchFrom = samples[i]!.at;
    const stretchTo = samples[end]!.at;
    for (let k = i; k < end; k++) {
      const [a, b] = [samples[k]!.at, samples[k + 1]!.at];
      if (a < from) continue;
      const inside = (page: Page) => page.start >= stretchFrom && page.finish <= stretchTo;
      if (pages.every((page) => page.finish <= a || page.start >= b || inside(page))) {
        seconds.push([a, b]);
      }
    }
    i = end;
  }
  return seconds;
}

/**
 * [from, to] of each quiet second, itself and the second before quiet: while measuring,
 * before the pages' times are known, to decide when there are enough.
 */
export function quietWindows(samples: Sample[]): Array<[number, number]> {
  const others = otherCores(samples);
  const windows: Array<[number, number]> = [];
  for (let i = 1; i < others.length; i++) {
    if (others[i]! <= NOISE_CORES && others[i - 1]! <= NOISE_CORES) {
      windows.push([samples[i]!.at, samples[i + 1]!.at]);
    }
  }
  return windows;
}
