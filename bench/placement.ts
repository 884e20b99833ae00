// Which CPUs a bench's processes run on. A round trip through a relay or a proxy is a chain of
// wake-ups, and on a VM whose idle vCPUs halt a wake-up on another CPU costs more than the relay's
// own work: here mock-socks took 41 µs per 64-byte round trip on the bench's CPU and 130 µs on the
// other, microsocks 35 against 76–115 µs, a 16-byte round trip through this proxy 65 µs with every
// process on one CPU and 136 µs with the proxy alone on the other. Left to the scheduler, a process
// keeps the CPU it settled on for a while, so a ratio depended on where each path's server landed
// (README, "Where the processes run"); pinned with taskset(1), every path is placed alike.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** same: the servers measured on the bench's CPU; apart: on another CPU than the bench's. */
export const placements = ['same', 'apart'] as const;
export type Placement = (typeof placements)[number];

/** Processes placed together, and what they are, for a table's notes. */
export interface Group {
  what: string;
  pids: number[];
}

export interface Pinning {
  /** How the processes were placed, for a table's notes. */
  note: string;
  /** Gives the bench's own process its former CPUs back. */
  undo(): void;
}

const taskset = (args: string[]): string => execFileSync('taskset', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** The CPU a process last ran on: field 39 of /proc/PID/stat (proc(5)). */
function lastCpu(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[36]);
}

/** The CPUs a process may run on, from `taskset -c -p`'s list ("0,2-3"). */
function allowedCpus(pid: number): number[] {
  const list = taskset(['-c', '-p', String(pid)]).split(': ')[1]?.trim() ?? '';
  return list.split(',').flatMap((range) => {
    const [from, to = from] = range.split('-').map(Number) as [number, number?];
    return Array.from({ length: to - from + 1 }, (_, k) => from + k);
  });
}

const listed = (groups: Group[]) => groups.map((g) => g.what).join(', ');

/**
 * Pins the bench's process (every thread) and `withBench` to the CPU the bench last ran on, and
 * `apart` to another one. A thread inherits its creator's CPUs, so threads made later (microsocks's
 * per connection, libuv's pool) are pinned too.
 */
export function pin(placement: Placement, withBench: Group[], apart: Group[]): Pinning {
  const unpinned = (why: string): Pinning => ({ note: `Placement left to the scheduler: ${why}.`, undo: () => {} });
  let mask: string;
  let cpus: number[];
  try {
    mask = taskset(['-p', String(process.pid)]).split(': ')[1]?.trim() ?? '';
    cpus = allowedCpus(process.pid);
  } catch {
    return unpinned('taskset (util-linux) is not available');
  }
  const bench = lastCpu(process.pid);
  const other = cpus.find((cpu) => cpu !== bench);
  if (apart.length > 0 && other === undefined) return unpinned(`one CPU only, none to put ${listed(apart)} apart on`);
  const set = (cpu: number, pid: number) => taskset(['-a', '-c', '-p', String(cpu), String(pid)]);
  set(bench, process.pid);
  for (const pid of withBench.flatMap((g) => g.pids)) set(bench, pid);
  for (const pid of apart.flatMap((g) => g.pids)) set(other ?? bench, pid);
  const together = withBench.length ? `, ${listed(withBench)} with it` : '';
  const elsewhere = apart.length ? `; ${listed(apart)} on CPU ${other}` : '';
  return {
    note: `Pinned (--placement ${placement}): the bench's process on CPU ${bench}${together}${elsewhere}.`,
    undo: () => void taskset(['-a', '-p', mask, String(process.pid)]),
  };
}
