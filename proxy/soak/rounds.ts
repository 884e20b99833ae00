// Rounds of the same load against a proxy host, measured once each round has fully ended: the
// shape of the leak test and of the soak's leak phase.
import type { ProxyHost } from './host.ts';
import type { HostMeasure } from './proxy-host.ts';
import { inBatches, newTally, type Tally } from './sessions.ts';

export interface RoundsResult {
  /** Before the warm-up. */
  baseline: HostMeasure;
  /** After each measured round. */
  measures: HostMeasure[];
  tally: Tally;
}

/**
 * A warm-up round, then `count` rounds of `perRound` jobs, `concurrency` at a time. The warm-up
 * takes V8's one-off growth (compiled code, inline caches, pools sized to the load) out of the
 * comparison; a leak grows with every round after it.
 */
export async function measuredRounds(host: ProxyHost, count: number, perRound: number, concurrency: number, job: (i: number, tally: Tally) => Promise<unknown>): Promise<RoundsResult> {
  // Settled too: a tunnel or socket from before the rounds closing on its own deadline during them is not a leak's opposite.
  const baseline = await settled(host);
  await inBatches(perRound, concurrency, (i) => job(-1 - i, newTally()).then(() => undefined));
  const tally = newTally();
  const measures: HostMeasure[] = [];
  for (let round = 0; round < count; round++) {
    await inBatches(perRound, concurrency, (i) => job(round * perRound + i, tally).then(() => undefined));
    measures.push(await settled(host));
  }
  return { baseline, measures, tally };
}

/** The measure once no session is open and the descriptor count stops falling (idle tunnels and lingering sockets close on their own deadlines). */
export async function settled(host: ProxyHost, timeoutMs = 10_000): Promise<HostMeasure> {
  const deadline = Date.now() + timeoutMs;
  let last = await host.measure();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = await host.measure();
    if ((now.sessions === 0 && now.fds >= last.fds) || Date.now() > deadline) return now;
    last = now;
  }
}

export function heapGrowth(result: RoundsResult): number {
  return (result.measures.at(-1)?.heapAfterGc ?? 0) - (result.measures[0]?.heapAfterGc ?? 0);
}

export function describeRounds(name: string, result: RoundsResult): string {
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
  return `${name}: heap after GC ${result.measures.map((m) => kib(m.heapAfterGc)).join(' → ')} (round 1 → ${result.measures.length}: ${(heapGrowth(result) / 1024).toFixed(1)} KiB); fds ${result.baseline.fds} → ${result.measures.map((m) => m.fds).join(' → ')}`;
}
