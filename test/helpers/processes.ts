import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

// Linux /proc readers for the CLI tests: which processes a run started, and whether one is
// waiting on a server.

export function childPids(pid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

export const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

export async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) return false;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return true;
}

/** True once process `pid` has an established TCP connection (it is waiting on a server). */
export function childHasConnection(pid: number): boolean {
  try {
    const inodes = new Set<string>();
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const link = readlinkSync(`/proc/${pid}/fd/${fd}`);
        const match = /^socket:\[(\d+)\]$/.exec(link);
        if (match) inodes.add(match[1]);
      } catch {
        // closed meanwhile
      }
    }
    const table = readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1);
    return table.some((line) => {
      const fields = line.trim().split(/\s+/);
      return fields[3] === '01' && inodes.has(fields[9]);
    });
  } catch {
    return false;
  }
}
