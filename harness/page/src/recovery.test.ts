// The recovery read off a client timeline: written by hand, as the client emits it.
import { describe, expect, it } from 'vitest';
import type { TimelineEvent } from '../../../mock-code-server/common/index.ts';
import { describeRecovery, recoveryFaults, recoveryOf } from './recovery.ts';

const up: TimelineEvent[] = [
  { t: 0, connection: 'management', kind: 'attempt', attempt: 1, reason: 'initial' },
  { t: 5, connection: 'management', kind: 'handshake', reason: 'ok' },
  { t: 6, connection: 'extensionHost', kind: 'attempt', attempt: 1, reason: 'initial' },
  { t: 9, connection: 'extensionHost', kind: 'handshake', reason: 'ok' },
];

/** Both connections drop at 100; attempts at 100, 1600 and 3100; the peer is back at 3000. */
const outage: TimelineEvent[] = [
  ...up,
  ...(['management', 'extensionHost'] as const).flatMap((connection, i): TimelineEvent[] => [
    { t: 100 + i, connection, kind: 'close', code: 1014, reason: 'upstream.ended_without_close' },
    { t: 100 + i, connection, kind: 'reconnect', attempt: 1, reason: 'in 0 ms' },
    { t: 100 + i, connection, kind: 'attempt', attempt: 1, reason: 'reconnection' },
    { t: 1100 + i, connection, kind: 'error', attempt: 1, reason: 'Time limit reached' },
    { t: 1600 + i, connection, kind: 'attempt', attempt: 2, reason: 'reconnection' },
    { t: 2600 + i, connection, kind: 'error', attempt: 2, reason: 'Time limit reached' },
    { t: 3100 + i, connection, kind: 'attempt', attempt: 3, reason: 'reconnection' },
    { t: 3130 + i * 10, connection, kind: 'handshake', reason: 'reconnected, replayed 0', lost: 0 },
  ]),
];

describe('recoveryOf', () => {
  it('measures from the moment the fault cleared to the later connection back, with the attempts in between', () => {
    const recovery = recoveryOf(outage, 3000);
    expect(recovery).toMatchObject({ droppedT: 100, clearedT: 3000, ms: 140 });
    expect(recovery?.connections).toEqual([
      { connection: 'management', attempts: [100, 1600, 3100], reconnectedT: 3130, attemptMs: 5 },
      { connection: 'extensionHost', attempts: [101, 1601, 3101], reconnectedT: 3140, attemptMs: 3 },
    ]);
    expect(describeRecovery(recovery)).toBe('reconnected 140 ms after the fault cleared (2900 ms after the drop) — management: 3 attempts, extensionHost: 3 attempts');
  });

  it('measures a one-shot fault from the drop, and only the connections that dropped', () => {
    const events: TimelineEvent[] = [
      ...up,
      { t: 50, connection: 'management', kind: 'close', code: 1014 },
      { t: 50, connection: 'management', kind: 'attempt', attempt: 1, reason: 'reconnection' },
      { t: 62, connection: 'management', kind: 'handshake', reason: 'reconnected, replayed 3', lost: 0 },
    ];
    expect(recoveryOf(events)).toEqual({ droppedT: 50, clearedT: 50, ms: 12, connections: [{ connection: 'management', attempts: [50], reconnectedT: 62, attemptMs: 5 }] });
    expect(describeRecovery(recoveryOf(events))).toBe('reconnected 12 ms after the drop — management: 1 attempt');
  });

  it('has no figure while a connection is not back, and none before a drop', () => {
    const cut = outage.filter((e) => !(e.connection === 'extensionHost' && e.kind === 'handshake' && e.t > 1000));
    expect(recoveryOf(cut, 3000)?.ms).toBeUndefined();
    expect(describeRecovery(recoveryOf(cut, 3000))).toMatch(/^not reconnected after the fault cleared .* extensionHost: 3 attempts, not back$/);
    expect(recoveryOf(up)).toBeUndefined();
  });
});

describe('recoveryFaults', () => {
  const window = { windowMs: 700, intervalMs: 50 };
  it('accepts an attempt held at the return that lands within the bound, and flags one that does not', () => {
    // The peer is back at 3000; the attempt at 3100 started after it and landed 30–40 ms later.
    expect(recoveryFaults(recoveryOf(outage, 3000)!, window, 100)).toEqual([]);
    // Back at 2700 instead: the attempt of 1600 had ended (window to 2300), so 3100 is the first after.
    expect(recoveryFaults(recoveryOf(outage, 2700)!, window, 100)).toEqual([]);
    // Back at 1700: the attempt of 1600 was held — yet 3100's landed.
    expect(recoveryFaults(recoveryOf(outage, 1700)!, window, 100)).toEqual([
      'management: the attempt held at the return (+-100 ms) did not land; one at +1400 ms did',
      'extensionHost: the attempt held at the return (+-99 ms) did not land; one at +1401 ms did',
    ]);
  });

  it('flags a held attempt that landed too late after the return, and a connection never back', () => {
    // Back at 3120, while the attempts of 3100 and 3101 are held: 10 and 20 ms later.
    expect(recoveryFaults(recoveryOf(outage, 3120)!, window, 5)).toEqual(['extensionHost: back 20 ms after the return, held attempt and all (bound 5 ms + 2 × 3 ms an attempt takes)']);
    // The first attempt after the return is timed by the machine alone: no bound on it.
    expect(recoveryFaults(recoveryOf(outage, 3000)!, window, 5)).toEqual([]);
    const cut = outage.filter((e) => !(e.connection === 'extensionHost' && e.kind === 'handshake' && e.t > 1000));
    expect(recoveryFaults(recoveryOf(cut, 3000)!, window, 100)).toEqual(['extensionHost: never came back']);
  });
});
