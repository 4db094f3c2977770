import { readdir } from 'node:fs/promises';
import type { HostSeries } from '../record/run-file.ts';
import { parseKilobyteFields, readText } from './proc-files.ts';

/** Cumulative host counters at one instant; rates are deltas between two of these. */
interface HostCounters {
  atMs: number;
  cpuBusyTicks: number;
  cpuTotalTicks: number;
  diskReadBytes: number;
  diskWriteBytes: number;
  networkReceiveBytes: number;
  networkTransmitBytes: number;
}

/** /proc/stat first line: user nice system idle iowait irq softirq steal (guest in user). */
export function parseCpuLine(text: string): { busy: number; total: number } | null {
  const line = text.split('\n').find((one) => one.startsWith('cpu '));
  if (!line) return null;
  const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = ticks.reduce((sum, value) => sum + value, 0);
  const idle = ticks[3] + (ticks[4] ?? 0);
  return { busy: total - idle, total };
}

/** Whole disks, from /sys/block, without loop, RAM, zram and device-mapper devices. */
async function wholeDisks(): Promise<Set<string>> {
  try {
    const names = await readdir('/sys/block');
    return new Set(names.filter((name) => !/^(loop|ram|zram|dm-)/.test(name)));
  } catch {
    return new Set();
  }
}

/** /proc/diskstats: sectors read (field 6) and written (field 10), 512 bytes each. */
export function parseDiskstats(
  text: string,
  disks: Set<string>,
): { readBytes: number; writeBytes: number } {
  let readBytes = 0;
  let writeBytes = 0;
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 10 || !disks.has(fields[2])) continue;
    readBytes += Number(fields[5]) * 512;
    writeBytes += Number(fields[9]) * 512;
  }
  return { readBytes, writeBytes };
}

/** /proc/net/dev: bytes received (1st) and sent (9th) per interface, loopback included. */
export function parseNetDev(text: string): { receiveBytes: number; transmitBytes: number } {
  let receiveBytes = 0;
  let transmitBytes = 0;
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const fields = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    if (fields.length < 9) continue;
    receiveBytes += fields[0];
    transmitBytes += fields[8];
  }
  return { receiveBytes, transmitBytes };
}

/** Samples the whole host from /proc (Linux only): what top, free, iostat and ifstat show. */
export class HostSampler {
  readonly series: HostSeries = {
    tSeconds: [],
    cpuPercent: [],
    memoryUsedBytes: [],
    diskReadBytesPerSecond: [],
    diskWriteBytesPerSecond: [],
    networkReceiveBytesPerSecond: [],
    networkTransmitBytesPerSecond: [],
  };
  private previous: HostCounters | null = null;
  private disks: Set<string> | null = null;

  async sample(tSeconds: number): Promise<void> {
    this.disks ??= await wholeDisks();
    const [stat, meminfo, diskstats, netdev] = await Promise.all(
      ['/proc/stat', '/proc/meminfo', '/proc/diskstats', '/proc/net/dev'].map(readText),
    );
    const cpu = stat ? parseCpuLine(stat) : null;
    const disk = diskstats ? parseDiskstats(diskstats, this.disks) : null;
    const network = netdev ? parseNetDev(netdev) : null;
    const now: HostCounters = {
      atMs: performance.now(),
      cpuBusyTicks: cpu?.busy ?? 0,
      cpuTotalTicks: cpu?.total ?? 0,
      diskReadBytes: disk?.readBytes ?? 0,
      diskWriteBytes: disk?.writeBytes ?? 0,
      networkReceiveBytes: network?.receiveBytes ?? 0,
      networkTransmitBytes: network?.transmitBytes ?? 0,
    };
    const previous = this.previous;
    this.previous = now;
    // The first sample is only the baseline for rates.
    if (!previous) return;

    const seconds = (now.atMs - previous.atMs) / 1000;
    const rate = (key: keyof HostCounters) =>
      seconds > 0 ? Math.max(0, Math.round((now[key] - previous[key]) / seconds)) : 0;
    const totalTicks = now.cpuTotalTicks - previous.cpuTotalTicks;
    const busyTicks = now.cpuBusyTicks - previous.cpuBusyTicks;
    const memory = meminfo ? parseKilobyteFields(meminfo) : new Map<string, number>();

    this.series.tSeconds.push(tSeconds);
    this.series.cpuPercent.push(
      totalTicks > 0 ? Math.round((busyTicks / totalTicks) * 1000) / 10 : 0,
    );
    this.series.memoryUsedBytes.push(
      Math.max(0, (memory.get('MemTotal') ?? 0) - (memory.get('MemAvailable') ?? 0)),
    );
    this.series.diskReadBytesPerSecond.push(rate('diskReadBytes'));
    this.series.diskWriteBytesPerSecond.push(rate('diskWriteBytes'));
    this.series.networkReceiveBytesPerSecond.push(rate('networkReceiveBytes'));
    this.series.networkTransmitBytesPerSecond.push(rate('networkTransmitBytes'));
  }
}
