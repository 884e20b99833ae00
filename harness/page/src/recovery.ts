// How long the workbench took to come back once its fault was over, read off the client's own
// timeline: per connection, the reconnection attempts it started after the drop and the moment
// the server accepted one (`handshake` 'reconnected…'). Pure: the probe, repro and the specs share it.
import type { TimelineEvent } from '../../../mock-code-server/common/index.ts';

export interface ConnectionRecovery {
  connection: string;
  /** Start times (ms on the timeline) of the reconnection attempts after the drop, the one that landed included. */
  attempts: number[];
  /** When the server accepted a reconnection (ms on the timeline); undefined if none did. */
  reconnectedT?: number;
  /** How long the connection's first attempt took, from its start to the server's answer: what an attempt costs on this machine, with no wait in it. */
  attemptMs: number;
}

export interface Recovery {
  /** When the connection dropped: the first close after the workbench was up (ms on the timeline). */
  droppedT: number;
  /** When the fault was over: the peer back, or — a one-shot fault — the drop itself. */
  clearedT: number;
  connections: ConnectionRecovery[];
  /** From clearedT to the later connection's reconnection; undefined until every connection is back. */
  ms?: number;
}

/** The recovery after the first drop, or undefined when nothing dropped. `clearedT` defaults to the drop. */
export function recoveryOf(events: readonly TimelineEvent[], clearedT?: number): Recovery | undefined {
  const drop = events.find((e) => e.kind === 'close' && events.some((h) => h.kind === 'handshake' && h.t <= e.t));
  if (!drop) return undefined;
  const cleared = clearedT ?? drop.t;
  // The connections that dropped: a one-shot fault may end one socket and leave the other alone.
  const names = [...new Set(events.filter((e) => e.kind === 'close' && e.t >= drop.t).map((e) => e.connection))];
  const connections = names.map((connection): ConnectionRecovery => {
    const own = events.filter((e) => e.connection === connection && e.t >= drop.t);
    const back = own.find((e) => e.kind === 'handshake' && e.reason?.startsWith('reconnected') && e.t >= cleared);
    const attempts = own.filter((e) => e.kind === 'attempt' && e.reason === 'reconnection' && (back === undefined || e.t <= back.t)).map((e) => e.t);
    const firstUp = events.find((e) => e.connection === connection && e.kind === 'handshake');
    const firstAttempt = events.filter((e) => e.connection === connection && e.kind === 'attempt' && firstUp !== undefined && e.t <= firstUp.t).at(-1);
    return { connection, attempts, reconnectedT: back?.t, attemptMs: firstUp && firstAttempt ? firstUp.t - firstAttempt.t : 0 };
  });
  const back = connections.map((c) => c.reconnectedT);
  const ms = back.length > 0 && back.every((t) => t !== undefined) ? Math.max(...(back as number[])) - cleared : undefined;
  return { droppedT: drop.t, clearedT: cleared, connections, ms };
}

/** One line for people: `reconnected 52 ms after the fault cleared — management: 7 attempts, extensionHost: 7 attempts`. */
export function describeRecovery(recovery: Recovery | undefined): string {
  if (!recovery) return 'no drop';
  const per = recovery.connections.map((c) => `${c.connection}: ${c.attempts.length} attempt${c.attempts.length === 1 ? '' : 's'}${c.reconnectedT === undefined ? ', not back' : ''}`).join(', ');
  const what =
    recovery.clearedT === recovery.droppedT
      ? 'the drop'
      : recovery.droppedT > recovery.clearedT
        ? `the fault cleared (the connections were kept open through it and closed ${Math.round(recovery.droppedT - recovery.clearedT)} ms after)`
        : `the fault cleared (${Math.round(recovery.clearedT - recovery.droppedT)} ms after the drop)`;
  return recovery.ms === undefined ? `not reconnected after ${what} — ${per}` : `reconnected ${Math.round(recovery.ms)} ms after ${what} — ${per}`;
}

/** The proxy's retry window as the recovery spec reads it; a proxy that does not retry has a window of 0. */
export interface RetryWindowSetting {
  windowMs: number;
  intervalMs: number;
}

/**
 * Whether each connection came back as soon as the proxy and the client allow: the attempt held
 * when the peer returned (one pause or more before its window ended) must be the one that lands,
 * within `withinMs` of the return — beyond twice what an attempt costs on this machine now (the
 * connection's first attempt, `attemptMs`; a loaded machine's jitter is of that order), so the
 * bound is on the proxy's wait, not on the machine's speed; otherwise the first attempt started
 * after the return must be the one that lands (how long it then takes is the machine's alone, with
 * no wait in it). A wrong attempt landing is off by a whole handshake wait.
 */
export function recoveryFaults(recovery: Recovery, window: RetryWindowSetting, withinMs: number): string[] {
  const faults: string[] = [];
  const cleared = recovery.clearedT;
  for (const c of recovery.connections) {
    if (c.reconnectedT === undefined) {
      faults.push(`${c.connection}: never came back`);
      continue;
    }
    const back = c.reconnectedT;
    const winner = c.attempts.filter((a) => a <= back).at(-1) ?? back;
    const held = c.attempts.find((a) => a <= cleared && cleared <= a + window.windowMs - window.intervalMs);
    const firstAfter = c.attempts.find((a) => a > cleared);
    const at = (t: number) => `+${Math.round(t - cleared)} ms`;
    if (held !== undefined) {
      if (winner !== held) faults.push(`${c.connection}: the attempt held at the return (${at(held)}) did not land; one at ${at(winner)} did`);
      else if (back - cleared - 2 * c.attemptMs > withinMs) faults.push(`${c.connection}: back ${Math.round(back - cleared)} ms after the return, held attempt and all (bound ${withinMs} ms + 2 × ${c.attemptMs} ms an attempt takes)`);
    } else if (winner > cleared && winner !== firstAfter) {
      faults.push(`${c.connection}: the first attempt after the return (${at(firstAfter ?? winner)}) did not land; one at ${at(winner)} did`);
    }
  }
  return faults;
}
