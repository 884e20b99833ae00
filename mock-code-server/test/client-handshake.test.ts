// The client's handshake phase against scripted upstreams, pinned to VS Code's source:
// remoteAgentConnection.ts connectToRemoteExtensionHostAgent / readOneControlMessage /
// createInitialConnection, browserSocketFactory.ts, ipc.net.ts PersistentProtocol.
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { encodeMessage, MessageType } from '../common/framing.ts';
import { controlMessage } from '../common/handshake.ts';
import type { ProtocolError } from '../common/errors.ts';
import type { TimelineEvent } from '../common/timeline.ts';
import { connectWorkbench, type WorkbenchOptions } from '../common/workbench.ts';
import { driveClock, eventually, opening, times } from './drive.ts';
import { ManualClock } from './manual-clock.ts';
import { COMMIT } from './raw-client.ts';
import { scriptedUpstream, type ScriptedSocket, type ScriptedUpstream, type UpstreamScript } from './scripted-upstream.ts';

let upstream: ScriptedUpstream | undefined;
afterEach(async () => {
  await upstream?.close();
  upstream = undefined;
});

async function start(script: UpstreamScript): Promise<ScriptedUpstream> {
  upstream = await scriptedUpstream(script);
  return upstream;
}

const isControl = (type: string) => (m: { type: number; data: Uint8Array }) => m.type === MessageType.Control && new TextDecoder().decode(m.data).includes(`"type":"${type}"`);
const send = (socket: ScriptedSocket, value: unknown) => socket.ws.send(encodeMessage(controlMessage(value)));
/** What the fixed proxy does when the tailnet is down: 101, hold the first frame, then a close frame. */
const proxyCloses1014: UpstreamScript = { onMessage: (socket) => socket.ws.close(1014, 'upstream unreachable through SOCKS') };

function connect(base: string, options: Partial<WorkbenchOptions> = {}) {
  const timeline: TimelineEvent[] = [];
  const result = connectWorkbench({
    baseUrl: base,
    WebSocket,
    commit: COMMIT,
    extensionHost: false,
    onTimeline: (event) => timeline.push(event),
    ...options,
  }).catch((error: unknown) => error as ProtocolError);
  return { timeline, result };
}

describe('the handshake waits for a control message, not for the socket (readOneControlMessage)', () => {
  it('a 101 then a close frame (1014) before `sign` costs the whole handshake timeout, scaled: 10 s × 0.02 = 200 ms', async () => {
    const base = (await start(proxyCloses1014)).baseUrl;
    const { timeline, result } = connect(base, { timeScale: 0.02 });
    await result;
    const opens = times(timeline, 'open');
    const errors = timeline.filter((e) => e.kind === 'error');
    const costs = errors.map((e, i) => e.t - (opens[i] ?? Number.NaN));
    console.log(`101-then-close, handshake timeout 200 ms: each attempt failed ${costs.map((c) => `${c} ms`).join(', ')} after its 101`);
    expect(errors.map((e) => e.reason)).toEqual(Array(5).fill('Time limit reached'));
    // The 1014 arrived right after `auth` and changed nothing: the wait ended at its deadline.
    expect(timeline.filter((e) => e.kind === 'close' && e.code !== undefined).map((e) => e.code)).toEqual(Array(5).fill(1014));
    for (const cost of costs) {
      expect(cost).toBeGreaterThanOrEqual(199);
      expect(cost).toBeLessThan(200 + 400);
    }
  });

  it('a refused upgrade (1006 before open) fails at once instead (browserSocketFactory: TemporarilyNotAvailable)', async () => {
    const base = (await start({ refuse: () => 503 })).baseUrl;
    const { timeline, result } = connect(base, { timeScale: 0.02 });
    const error = await result;
    const attempts = times(timeline, 'attempt');
    const span = (times(timeline, 'error').at(-1) ?? 0) - (attempts[0] ?? 0);
    console.log(`refused upgrade: 5 attempts failed within ${span} ms`);
    expect(error).toMatchObject({ code: 'reconnect.failed', message: 'The workbench failed to connect to the server (Error: WebSocket close with status code 1006)' });
    expect(span).toBeLessThan(200);
  });

  it('on first load, five 101-then-close attempts back to back take exactly 5 × 10 s (manual clock), each with a new token', async () => {
    const up = await start(proxyCloses1014);
    const clock = new ManualClock();
    const { timeline, result } = connect(up.baseUrl, { clock });
    let settled = false;
    void result.then(() => (settled = true));
    await driveClock(clock, () => settled, opening(timeline));
    expect(await result).toMatchObject({ code: 'reconnect.failed', message: 'The workbench failed to connect to the server (Error: Time limit reached)' });
    expect(times(timeline, 'attempt')).toEqual([0, 10_000, 20_000, 30_000, 40_000]);
    expect(times(timeline, 'error')).toEqual([10_000, 20_000, 30_000, 40_000, 50_000]);
    const tokens = up.sockets.map((s) => s.url.searchParams.get('reconnectionToken'));
    expect(new Set(tokens).size).toBe(5);
    expect(up.sockets.every((s) => s.url.searchParams.get('reconnection') === 'false')).toBe(true);
  });

  it('keeps sending KeepAlive every 5 s while it waits (ipc.net.ts: the interval starts with the protocol)', async () => {
    const up = await start({});
    const clock = new ManualClock();
    const { timeline, result } = connect(up.baseUrl, { clock });
    await eventually(() => (up.sockets[0]?.received.length ?? 0) === 1);
    clock.advance(9_999);
    await eventually(() => up.sockets[0]!.received.some((m) => m.type === MessageType.KeepAlive));
    expect(up.sockets[0]!.received.map((m) => m.type)).toEqual([MessageType.Control, MessageType.KeepAlive]);
    let settled = false;
    void result.then(() => (settled = true));
    await driveClock(clock, () => settled, opening(timeline));
  });

  it('skips a control message that is not JSON and accepts any answer but an error ({} for management too)', async () => {
    const up = await start({
      onMessage: (socket, message) => {
        if (isControl('auth')(message)) {
          socket.ws.send(encodeMessage({ type: MessageType.Control, id: 0, ack: 0, data: new TextEncoder().encode('not json') }));
          send(socket, { type: 'sign', data: 'd', signedData: 's' });
        }
        if (isControl('connectionType')(message)) send(socket, {});
      },
    });
    const { timeline, result } = connect(up.baseUrl);
    const workbench = await result;
    expect(workbench).toHaveProperty('management');
    expect(timeline.filter((e) => e.kind === 'handshake')).toEqual([expect.objectContaining({ reason: 'ok' })]);
    (workbench as { close(): void }).close();
  });

  it('fails with "Unexpected handshake message" when the first answer is not `sign`; on first load every error counts, 5 times', async () => {
    const up = await start({ onMessage: (socket, message) => isControl('auth')(message) && send(socket, { type: 'ok' }) });
    const { result } = connect(up.baseUrl);
    expect(await result).toMatchObject({ code: 'reconnect.failed', message: 'The workbench failed to connect to the server (Error: Unexpected handshake message)' });
    expect(up.upgrades).toBe(5);
  });

  it('on first load the answer to connectionType has no deadline (CancellationToken.None): an hour later it still waits, and a late `ok` completes it', async () => {
    let answer: ScriptedSocket | undefined;
    const up = await start({
      onMessage: (socket, message) => {
        if (isControl('auth')(message)) send(socket, { type: 'sign', data: 'd', signedData: 's' });
        if (isControl('connectionType')(message)) answer = socket;
      },
    });
    const clock = new ManualClock();
    const { timeline, result } = connect(up.baseUrl, { clock });
    await eventually(() => answer !== undefined);
    clock.advance(60 * 60 * 1000);
    expect(timeline.map((e) => e.kind)).toEqual(['attempt', 'open']);
    expect(up.upgrades).toBe(1);
    send(answer!, { type: 'ok' });
    const workbench = (await result) as { close(): void };
    expect(timeline.map((e) => e.kind)).toEqual(['attempt', 'open', 'handshake']);
    workbench.close();
  });
});
