// The workbench's reconnection, pinned to remoteAgentConnection.ts: createInitialConnection and
// PersistentConnection._runReconnectingLoop (TIMES, RECONNECT_TIMEOUT, the grace time, which
// errors are permanent, reconnectionFailureIsFatal). The client's timers run on a ManualClock at
// VS Code's own values (timeScale 1), so every wait below is exact and no test sleeps for it.
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { ProtocolError } from '../common/errors.ts';
import { connectWorkbench, type Workbench, type WorkbenchOptions } from '../common/workbench.ts';
import { ECHO_CHANNEL } from '../node/management.ts';
import { driveClock, eventually, opening, times } from './drive.ts';
import { ManualClock } from './manual-clock.ts';
import { COMMIT } from './raw-client.ts';
import { useServer } from './server-fixture.ts';
import { switchableHop, type HopMode, type SwitchableHop } from './switchable-hop.ts';

const fx = useServer();

async function open(clock: ManualClock, options: Partial<WorkbenchOptions> = {}): Promise<Workbench> {
  fx.workbench = await connectWorkbench({ baseUrl: fx.server.url, WebSocket, commit: COMMIT, clock, extensionHost: false, ...options });
  // Initialize has arrived once a call is answered: the session is fully up before the drop.
  expect(await fx.workbench.management.call(ECHO_CHANNEL, 'echo', 'up')).toBe('up');
  return fx.workbench;
}

let hop: SwitchableHop | undefined;
afterEach(async () => {
  await hop?.close();
  hop = undefined;
});

/** A workbench connected through a switchable hop; then the hop switches to `mode` and the server drops every socket. */
async function dropBehindHop(mode: HopMode, options: Partial<WorkbenchOptions> = {}): Promise<{ hop: SwitchableHop; clock: ManualClock; wb: Workbench }> {
  hop = await switchableHop(fx.server.port);
  const clock = new ManualClock();
  const wb = await open(clock, { baseUrl: hop.baseUrl, ...options });
  hop.mode = mode;
  fx.server.protocol.dropSockets();
  return { hop, clock, wb };
}

/** Attempt start times relative to the first one. */
const relative = (ts: number[]) => ts.map((t) => t - (ts[0] ?? 0));
const reconnected = (wb: Workbench) => wb.timeline.some((e) => e.kind === 'handshake' && e.reason?.startsWith('reconnected'));

describe('first connection (createInitialConnection)', () => {
  it('tries up to 5 times back to back, each with a new token, and connects on the 5th', async () => {
    fx.server.setFaults([{ type: 'upgrade-refuse', attributes: { status: 503 }, which: { first: 4 } }]);
    const wb = await open(new ManualClock());
    const kinds = wb.timeline.map((e) => `${e.kind}${e.code ? `:${e.code}` : ''}`);
    expect(kinds.slice(0, 14)).toEqual([
      ...Array(4).fill(['attempt', 'close:1006', 'error']).flat(),
      'attempt',
      'open',
    ]);
    expect(times(wb.timeline, 'attempt')).toEqual([0, 0, 0, 0, 0]);
  });

  it("gives up after 5 refused attempts with the workbench's message", async () => {
    fx.server.setFaults([{ type: 'upgrade-refuse', attributes: { status: 503 }, which: { first: 5 } }]);
    const error = (await connectWorkbench({ baseUrl: fx.server.url, WebSocket, commit: COMMIT, extensionHost: false }).catch((e: unknown) => e)) as ProtocolError;
    expect(error.code).toBe('reconnect.failed');
    expect(error.message).toBe('The workbench failed to connect to the server (Error: WebSocket close with status code 1006)');
  });
});

describe('reconnection after a drop (_runReconnectingLoop)', () => {
  it('waits TIMES before each attempt when every attempt is refused at once: +0, +5, +10, +20, +30, +40, +50, +60, +90, +120 s, then recovers losing nothing', async () => {
    const clock = new ManualClock();
    const wb = await open(clock);
    const tokens = wb.tokens();
    fx.server.setFaults([{ type: 'upgrade-refuse', attributes: { status: 502 } }]);
    const pending = wb.management.call(ECHO_CHANNEL, 'echo', 'sent while down');
    fx.server.protocol.dropSockets();
    await driveClock(clock, () => times(wb.timeline, 'error').length === 10, opening(wb.timeline));
    expect(relative(times(wb.timeline, 'attempt').slice(1))).toEqual([0, 5, 10, 20, 30, 40, 50, 60, 90, 120].map((s) => s * 1000));
    expect(wb.timeline.filter((e) => e.kind === 'error').every((e) => e.reason === 'WebSocket close with status code 1006')).toBe(true);
    fx.server.clearFaults();
    await driveClock(clock, () => times(wb.timeline, 'attempt').length === 12, opening(wb.timeline));
    await eventually(() => reconnected(wb));
    expect(await pending).toBe('sent while down');
    expect(wb.tokens()).toEqual(tokens);
    expect(wb.timeline.filter((e) => e.kind === 'handshake').at(-1)).toMatchObject({ reason: expect.stringMatching(/^reconnected/), lost: 0 });
  });

  it('behind a hop that answers 101 and then closes (the fixed proxy, tailnet down), every attempt waits out the 10 s handshake timeout: +0, +15, +30, +50, +70 s', async () => {
    const { hop, clock, wb } = await dropBehindHop('close-after-101');
    await driveClock(clock, () => times(wb.timeline, 'error').length === 5, opening(wb.timeline));
    const attempts = times(wb.timeline, 'attempt').slice(1);
    expect(relative(attempts)).toEqual([0, 15, 30, 50, 70].map((s) => s * 1000));
    const errors = wb.timeline.filter((e) => e.kind === 'error');
    expect(errors.map((e) => e.reason)).toEqual(Array(5).fill('Time limit reached'));
    // Each failure is exactly 10 s after its attempt started: the 1014 in between changed nothing.
    expect(errors.map((e, i) => e.t - (attempts[i] ?? 0))).toEqual(Array(5).fill(10_000));
    expect(wb.timeline.filter((e) => e.kind === 'close' && e.code === 1014)).toHaveLength(5);
    hop.mode = 'forward';
    await driveClock(clock, () => times(wb.timeline, 'attempt').length === 7, opening(wb.timeline));
    await eventually(() => reconnected(wb));
    expect(relative(times(wb.timeline, 'attempt').slice(1)).at(-1)).toBe(90_000);
  });

  it('keeps a timed-out attempt\'s socket open until the next attempt has a socket (beginAcceptReconnection disposes the old one)', async () => {
    const { hop, clock, wb } = await dropBehindHop('silent-after-101');
    await driveClock(clock, () => times(wb.timeline, 'error').length === 1, opening(wb.timeline));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(hop.answered.map((s) => s.closed)).toEqual([false]);
    await driveClock(clock, () => times(wb.timeline, 'open').length === 3, opening(wb.timeline));
    await eventually(() => hop.answered[0]!.closed);
    expect(hop.answered.map((s) => s.closed)).toEqual([true, false]);
  });

  it('gives one attempt 30 s in all (RECONNECT_TIMEOUT), socket creation included', async () => {
    const clock = new ManualClock();
    const wb = await open(clock);
    fx.server.setFaults([{ type: 'upgrade-delay', attributes: { ms: 60 * 60 * 1000 } }]);
    fx.server.protocol.dropSockets();
    // The socket never opens: only the attempt's own deadline ends each wait.
    await driveClock(clock, () => times(wb.timeline, 'error').length === 2);
    const start = times(wb.timeline, 'attempt')[1] ?? 0;
    expect(times(wb.timeline, 'attempt').slice(1).map((t) => t - start)).toEqual([0, 35_000]);
    expect(times(wb.timeline, 'error').map((t) => t - start)).toEqual([30_000, 65_000]);
    expect(wb.timeline.filter((e) => e.kind === 'error').map((e) => e.reason)).toEqual(['Time limit reached', 'Time limit reached']);
    // Its socket, still connecting, is left alone (createSocket disposes it only once it opens): closing
    // a connecting WebSocket is a 1006 at the page, which a proxy holding the upgrade would be blamed for.
    const reconnecting = wb.timeline.findIndex((e) => e.kind === 'attempt' && e.reason === 'reconnection');
    expect(wb.timeline.slice(reconnecting).filter((e) => e.kind === 'close')).toEqual([]);
  });

  it('stops when an attempt fails after the grace time has run out (checked after the attempt, not before the wait)', async () => {
    const clock = new ManualClock();
    const wb = await open(clock, { timings: { reconnectionGraceMs: 60_000 } });
    fx.server.setFaults([{ type: 'upgrade-refuse', attributes: { status: 502 } }]);
    const pending = wb.management.call(ECHO_CHANNEL, 'echo', 'never answered').catch((e: unknown) => e);
    fx.server.protocol.dropSockets();
    await driveClock(clock, () => wb.timeline.some((e) => e.kind === 'close' && e.lost !== undefined), opening(wb.timeline));
    expect(relative(times(wb.timeline, 'attempt').slice(1))).toEqual([0, 5, 10, 20, 30, 40, 50, 60].map((s) => s * 1000));
    expect(await pending).toMatchObject({ code: 'reconnect.failed', message: 'Cannot reconnect. Please reload the window. (WebSocket close with status code 1006)' });
    expect(clock.pendingTimers).toBe(0);
  });

  it('an `error` control message is permanent (VSCODE_CONNECTION_ERROR), and management takes the extension host with it (reconnectionFailureIsFatal)', async () => {
    const clock = new ManualClock();
    const wb = await open(clock, { extensionHost: true });
    await wb.extensionHost!.ready();
    fx.server.setFaults([{ type: 'drop-token' }]);
    const pending = wb.management.call(ECHO_CHANNEL, 'echo', 'lost?');
    fx.server.protocol.dropSockets();
    const error = (await pending.catch((e: unknown) => e)) as ProtocolError;
    expect(error).toMatchObject({ code: 'reconnect.failed', message: 'Cannot reconnect. Please reload the window. (Connection error: Unknown reconnection token (never seen))' });
    await eventually(() => wb.timeline.filter((e) => e.kind === 'close' && e.lost !== undefined).length === 2);
    const attemptsBefore = times(wb.timeline, 'attempt', 'management').length + times(wb.timeline, 'attempt', 'extensionHost').length;
    clock.advance(60 * 60 * 1000);
    expect(times(wb.timeline, 'attempt', 'management').length + times(wb.timeline, 'attempt', 'extensionHost').length).toBe(attemptsBefore);
    expect(clock.pendingTimers).toBe(0);
    expect(wb.timeline).toContainEqual(expect.objectContaining({ connection: 'management', kind: 'error', reason: 'Connection error: Unknown reconnection token (never seen)' }));
    await expect(wb.extensionHost!.ready()).resolves.toBeUndefined();
    expect(() => wb.extensionHost!.send(new Uint8Array([1]))).toThrowError(expect.objectContaining({ code: 'reconnect.failed' }));
  });

  it('an extension host that cannot reconnect fails alone: management stays up (reconnectionFailureIsFatal is false for it)', async () => {
    hop = await switchableHop(fx.server.port);
    const wb = await open(new ManualClock(), { baseUrl: hop.baseUrl, extensionHost: true });
    await wb.extensionHost!.ready();
    fx.server.setFaults([{ type: 'handshake-error', attributes: { reason: 'Unknown reconnection token (seen before)' } }]);
    const token = wb.tokens().extensionHost;
    hop.drop((url) => url.searchParams.get('reconnectionToken') === token);
    await eventually(() => wb.timeline.some((e) => e.connection === 'extensionHost' && e.kind === 'close' && e.lost !== undefined));
    fx.server.clearFaults();
    expect(await wb.management.call(ECHO_CHANNEL, 'echo', 'still here')).toBe('still here');
    expect(wb.timeline.filter((e) => e.connection === 'management' && (e.kind === 'close' || e.kind === 'attempt'))).toHaveLength(1);
    expect(() => wb.extensionHost!.send(new Uint8Array([1]))).toThrowError(expect.objectContaining({ code: 'reconnect.failed' }));
  });
});
