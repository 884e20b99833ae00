// Which CPUs the socks-relay bench's processes run on. A 64-byte round trip through a relay is four
// wake-ups (client → relay → target → relay → client; client and target are the bench's process),
// and a wake-up on another CPU costs more than the relay's own work on a VM whose idle vCPUs halt:
// here mock-socks took 41 µs on the bench's CPU and 130 µs on the other, microsocks 35 against
// 76–115 µs. Left to the scheduler, a relay keeps the CPU it first settled on while the other is
// idle, so the ratio depended on where each landed (README, "Where the relays run"); pinned with
// taskset(1), every server and every run is placed alike.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** same: every process on the bench's CPU; apart: the servers on another CPU than the bench's. */
export const placements = ['same', 'apart'] as const;
export type Placement = (typeof placements)[number];

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

/** Pins the bench's process (every thread) and each server's, as the placement says. */
export function pin(placement: Placement, serverPids: number[]): Pinning {
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
  const servers = placement === 'same' ? bench : cpus.find((cpu) => cpu !== bench);
  if (servers === undefined) return unpinned('one CPU only, none to put the servers apart on');
  const set = (cpu: number, pid: number) => taskset(['-a', '-c', '-p', String(cpu), String(pid)]);
  set(bench, process.pid);
  // A thread inherits its creator's CPUs, so microsocks's threads per connection, made later, are pinned too.
  for (const pid of serverPids) set(servers, pid);
  return {
    note: placement === 'same' ? `Every process pinned to CPU ${bench} (--placement same).` : `The bench's process pinned to CPU ${bench}, the servers to CPU ${servers} (--placement apart).`,
    undo: () => void taskset(['-a', '-p', mask, String(process.pid)]),
  };
}
