import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { startObservation, type ObserveOptions } from '../src/observe/index.ts';
import { parseProcStat } from '../src/observe/proc-files.ts';
import { parseCpuLine, parseDiskstats, parseNetDev } from '../src/observe/host.ts';

const children: ChildProcess[] = [];
const grandchildren: number[] = [];

afterEach(() => {
  for (const child of children.splice(0)) {
    if (child.pid && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
  }
  for (const pid of grandchildren.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** Lines a child prints on stdout, one at a time. */
function reportLines(child: ChildProcess): AsyncIterator<string> {
  return createInterface({ input: child.stdout as Readable })[Symbol.asyncIterator]();
}

/** A child node process spinning one core; the marker makes its command line unique. */
function busyChild(marker: string): ChildProcess {
  const child = spawn(process.execPath, ['-e', 'for (;;) {}', marker], { stdio: 'ignore' });
  children.push(child);
  return child;
}

function options(overrides: Partial<ObserveOptions>): ObserveOptions {
  return {
    intervalMs: 200,
    startedAtMs: performance.now(),
    queueStatus: null,
    metricsUrl: null,
    processes: null,
    host: false,
    folders: [],
    resultsFolder: null,
    ...overrides,
  };
}

describe('process sampler', () => {
  it('measures the CPU time a busy child reports for itself, and its memory', async () => {
    // The child spins for 1.5 s between two reports of its own CPU use (getrusage), then
    // idles. The machine may be shared, so the test compares CPU time, not a percentage.
    const script =
      'const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };' +
      'console.log(cpuMs()); const end = Date.now() + 1500; while (Date.now() < end) {}' +
      'console.log(cpuMs()); setInterval(() => {}, 1000);';
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'ignore'] });
    children.push(child);
    const lines = reportLines(child);
    const before = await lines.next();
    const observation = startObservation(
      options({ processes: { pids: [child.pid as number], commandPattern: null } }),
    );
    const after = await lines.next();
    await sleep(300);
    const { processes } = await observation.stop();

    expect(processes?.selector).toBe(`pid ${child.pid} and children`);
    expect(processes?.processCount.every((count) => count === 1)).toBe(true);
    // Integrate the series: percent x seconds / 100 = CPU seconds, in ms.
    const series = processes as NonNullable<typeof processes>;
    const sampledMs = series.cpuPercent.reduce((sum, percent, index) => {
      const previous = index === 0 ? 0 : series.tSeconds[index - 1];
      return index === 0 ? sum : sum + percent * (series.tSeconds[index] - previous) * 10;
    }, 0);
    const reportedMs = Number(after.value) - Number(before.value);
    // The first sample is a baseline taken just after the first report: a little is missed.
    expect(sampledMs).toBeGreaterThan(reportedMs * 0.7);
    expect(sampledMs).toBeLessThan(reportedMs * 1.1 + 30);
    expect(Math.min(...series.rssBytes)).toBeGreaterThan(10 * 1024 * 1024);
  });

  it('follows descendants of a watched pid', async () => {
    // The parent spawns a spinning grandchild and prints its pid so the test can end it.
    const script =
      "const c = require('child_process').spawn(process.execPath, ['-e', 'for(;;){}'], " +
      "{ stdio: 'ignore' }); console.log(c.pid); setInterval(() => {}, 1000);";
    const parent = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'ignore'] });
    children.push(parent);
    const [line] = (await once(parent.stdout as Readable, 'data')) as [Buffer];
    grandchildren.push(Number(line.toString().trim()));
    const observation = startObservation(
      options({ processes: { pids: [parent.pid as number], commandPattern: null } }),
    );
    await sleep(1000);
    const { processes } = await observation.stop();
    expect(Math.max(...(processes?.processCount ?? []))).toBe(2);
    // The parent sleeps: any real CPU use comes from the spinning grandchild.
    expect(Math.max(...(processes?.cpuPercent ?? []))).toBeGreaterThan(10);
  });

  it('matches processes by command line', async () => {
    const marker = `ocrbench-observe-${process.pid}-pattern`;
    busyChild(marker);
    busyChild(marker);
    const observation = startObservation(
      options({ processes: { pids: [], commandPattern: marker } }),
    );
    await sleep(1000);
    const { processes } = await observation.stop();
    expect(processes?.selector).toBe(`command ~ /${marker}/`);
    expect(processes?.processCount.at(-1)).toBe(2);
    // Only the two spinners match, and nothing else on the machine uses this marker.
    expect(Math.max(...(processes?.cpuPercent ?? []))).toBeGreaterThan(10);
    expect(processes?.writeBytesPerSecond.every((value) => value >= 0)).toBe(true);
  });

  it('stops sampling when stopped', async () => {
    const observation = startObservation(options({ host: true }));
    await sleep(500);
    const { host } = await observation.stop();
    const points = host?.tSeconds.length ?? 0;
    await sleep(500);
    expect(host?.tSeconds.length).toBe(points);
    expect(points).toBeGreaterThanOrEqual(2);
    expect(host?.cpuPercent.every((value) => value >= 0 && value <= 100)).toBe(true);
    expect(Math.min(...(host?.memoryUsedBytes ?? []))).toBeGreaterThan(0);
  });
});

describe('/proc parsers', () => {
  it('reads stat fields after a command name holding spaces and parentheses', () => {
    const text = '42 (my (odd) name) S 7 42 42 0 -1 0 0 0 0 0 150 25 0 0 20 0 1 0 9876 0 0';
    expect(parseProcStat(42, text)).toEqual({
      pid: 42,
      parentPid: 7,
      userTicks: 150,
      systemTicks: 25,
      startTicks: 9876,
    });
  });

  it('counts busy CPU without idle and iowait', () => {
    expect(parseCpuLine('cpu  10 0 5 80 5 0 0 0 0 0\ncpu0 1 2 3 4')).toEqual({
      busy: 15,
      total: 100,
    });
  });

  it('sums whole disks only, in bytes', () => {
    const text = [
      '   7       0 loop0 9 0 999 0 9 0 999 0 0 0 0',
      ' 252       0 vda 10 0 100 0 20 0 200 0 0 0 0',
      ' 252       1 vda1 10 0 100 0 20 0 200 0 0 0 0',
    ].join('\n');
    expect(parseDiskstats(text, new Set(['vda']))).toEqual({
      readBytes: 100 * 512,
      writeBytes: 200 * 512,
    });
  });

  it('sums network bytes over interfaces, loopback included', () => {
    const text = [
      'Inter-|   Receive |  Transmit',
      ' face |bytes    packets|bytes',
      '    lo: 1000 1 0 0 0 0 0 0 2000 1 0 0 0 0 0 0',
      '  eth0: 30 1 0 0 0 0 0 0 40 1 0 0 0 0 0 0',
    ].join('\n');
    expect(parseNetDev(text)).toEqual({ receiveBytes: 1030, transmitBytes: 2040 });
  });
});
