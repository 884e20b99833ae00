// Waiting in tests without sleeping through the client's timers: real sockets progress in real
// time, while the client's timers run on a ManualClock that the test moves from one due timer to
// the next — so "10 s later" is exact and instant.
import type { TimelineEvent } from '../common/timeline.ts';
import type { ManualClock } from './manual-clock.ts';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` in real time (socket I/O) until it holds; throws after `limitMs`. */
export async function eventually(check: () => boolean, limitMs = 5_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > limitMs) throw new Error(`condition not met within ${limitMs} ms`);
    await pause(2);
  }
}

/**
 * Lets socket I/O settle, then moves the clock to the client's next due timer, until `until`
 * holds. It never moves while `busy` says a socket is still being opened (real I/O the client is
 * waiting for). Use it only while no answer is on its way to the client: a timer moved past would
 * fire before the answer arrives.
 */
export async function driveClock(clock: ManualClock, until: () => boolean, busy: () => boolean = () => false, limitMs = 10_000): Promise<void> {
  const started = Date.now();
  for (;;) {
    await pause(5);
    if (until()) return;
    if (Date.now() - started > limitMs) throw new Error(`condition not met within ${limitMs} ms of driving the clock (at ${clock.now()} ms)`);
    if (!busy()) clock.advanceToNext();
  }
}

/** True while some connection's last attempt has neither opened its socket nor failed yet. */
export function opening(timeline: readonly TimelineEvent[]): () => boolean {
  return () => {
    const last = new Map<string, TimelineEvent['kind']>();
    for (const e of timeline) if (e.kind === 'attempt' || e.kind === 'open' || e.kind === 'error') last.set(e.connection, e.kind);
    return [...last.values()].includes('attempt');
  };
}

/** The `t` of each event of `kind` (optionally of one connection). */
export function times(timeline: readonly TimelineEvent[], kind: TimelineEvent['kind'], connection: TimelineEvent['connection'] = 'management'): number[] {
  return timeline.filter((e) => e.kind === kind && e.connection === connection).map((e) => e.t);
}
