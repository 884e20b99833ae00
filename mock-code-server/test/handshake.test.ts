import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hex, utf8 } from '../common/bytes.ts';
import { encodeMessage, MessageType, protocolMessage } from '../common/framing.ts';
import { controlMessage, HandshakeErrorReason } from '../common/handshake.ts';
import { decodeIpc, encodeContext, encodeInitialize, encodeRequest } from '../common/ipc.ts';
import { startServer, type ServerHandle } from '../node/server.ts';
import { COMMIT, controlJson, handshake, isControl, openRaw, wsUrl } from './raw-client.ts';
import { recorded } from './recorded-frames.ts';

let server: ServerHandle;
beforeAll(async () => {
  server = await startServer({ timeScale: 0.01, connectionToken: 'secret-token' });
});
afterAll(async () => server.close());

let tokenCounter = 0;
const newToken = (): string => `00000000-0000-4000-8000-${String(++tokenCounter).padStart(12, '0')}`;
const authFrame = (auth = 'secret-token') => controlMessage({ type: 'auth', auth, data: 'x' });

describe('management handshake', () => {
  it('answers auth with sign, connectionType 1 with ok, then exchanges Initialize as recorded', async () => {
    const client = await openRaw(wsUrl(server.url, { reconnectionToken: newToken(), reconnection: 'false', skipWebSocketFrames: 'false' }));
    client.send(authFrame());
    const sign = controlJson(await client.next(isControl)) as Record<string, string>;
    expect(sign.type).toBe('sign');
    expect(sign.data).toMatch(/^[0-9a-f-]{36}$/);
    expect(sign.signedData).toMatch(/^[0-9a-f-]{36}$/);
    client.send(controlMessage({ type: 'connectionType', commit: COMMIT, signedData: sign.data, desiredConnectionType: 1 }));
    const ok = await client.next(isControl);
    expect(hex(encodeMessage(ok))).toBe(hex(recorded.ok));
    // The client's context and Initialize in one WebSocket message, exactly as Chromium sent them.
    client.sendBytes(new Uint8Array([...recorded.context, ...recorded.clientInitialize]));
    const initialize = await client.next((m) => m.type === MessageType.Regular);
    expect(hex(encodeMessage(initialize))).toBe(hex(recorded.serverInitialize));
    client.send(protocolMessage(MessageType.Regular, 3, 1, encodeRequest(0, 'remoteextensionsenvironment', 'getEnvironmentData', {})));
    const reply = decodeIpc((await client.next((m) => m.type === MessageType.Regular)).data);
    expect(reply.header).toEqual([201, 0]);
    expect(reply.body).toMatchObject({ os: 3, userHome: { scheme: 'file', path: '/home/coder' } });
    client.ws.terminate();
  });
});

describe('extension host handshake', () => {
  it('sends Pause + {} in one frame, later Resume + Regular 02, then echoes', async () => {
    const client = await openRaw(wsUrl(server.url, { reconnectionToken: newToken(), reconnection: 'false', skipWebSocketFrames: 'false' }));
    const framesBefore = client.frames;
    client.send(authFrame());
    await client.next(isControl);
    const sign = client.frames;
    client.send(controlMessage({ type: 'connectionType', commit: COMMIT, signedData: 'x', desiredConnectionType: 2, args: { language: 'en', break: false, port: null, env: {} } }));
    const pause = await client.next();
    expect(hex(encodeMessage(pause))).toBe(hex(recorded.extHostPause));
    const empty = await client.next();
    expect(hex(encodeMessage(empty))).toBe(hex(recorded.extHostEmptyControl));
    expect(client.frames - sign).toBe(1);
    expect(sign - framesBefore).toBe(1);
    const resume = await client.next();
    expect(hex(encodeMessage(resume))).toBe(hex(recorded.extHostResume));
    const ready = await client.next();
    expect(hex(encodeMessage(ready))).toBe(hex(recorded.extHostReady));
    client.send(protocolMessage(MessageType.Regular, 1, 1, utf8('ping')));
    const echo = await client.next((m) => m.type === MessageType.Regular);
    expect(echo).toMatchObject({ id: 2, ack: 1 });
    expect(new TextDecoder().decode(echo.data)).toBe('ping');
    client.ws.terminate();
  });
});

describe('handshake error reasons', () => {
  interface Row {
    reason: string;
    query?: Record<string, string>;
    steps: (token: string) => Uint8Array[];
    before?: (token: string) => Promise<void>;
  }
  const ct = (extra: Record<string, unknown>) => encodeMessage(controlMessage({ type: 'connectionType', commit: COMMIT, signedData: 'x', desiredConnectionType: 1, ...extra }));
  const auth = encodeMessage(authFrame());
  const bare = (json: string) => encodeMessage(protocolMessage(MessageType.Control, 0, 0, utf8(json)));
  const table: Row[] = [
    { reason: HandshakeErrorReason.MalformedFirst, steps: () => [bare('{not json')] },
    { reason: HandshakeErrorReason.InvalidFirst, steps: () => [bare('{"type":"connectionType"}')] },
    { reason: HandshakeErrorReason.AuthMismatch, steps: () => [encodeMessage(authFrame('wrong'))] },
    { reason: HandshakeErrorReason.MalformedSecond, steps: () => [auth, bare('[')] },
    { reason: HandshakeErrorReason.InvalidSecond, steps: () => [auth, bare('{"type":"auth"}')] },
    { reason: HandshakeErrorReason.VersionMismatch, steps: () => [auth, ct({ commit: 'f'.repeat(40) })] },
    { reason: HandshakeErrorReason.UnknownTokenNeverSeen, query: { reconnection: 'true' }, steps: () => [auth, ct({})] },
    {
      reason: HandshakeErrorReason.UnknownTokenSeenBefore,
      query: { reconnection: 'true' },
      steps: () => [auth, ct({})],
      // A session that ended with Disconnect is forgotten, but its token stays "seen".
      before: async (token) => {
        const first = await openRaw(wsUrl(server.url, { reconnectionToken: token, reconnection: 'false' }));
        await handshake(first, 1, 'secret-token');
        first.send(protocolMessage(MessageType.Disconnect));
        await first.closed;
      },
    },
    {
      reason: HandshakeErrorReason.DuplicateToken,
      steps: () => [auth, ct({})],
      before: async (token) => {
        const first = await openRaw(wsUrl(server.url, { reconnectionToken: token, reconnection: 'false' }));
        expect(controlJson(await handshake(first, 1, 'secret-token'))).toEqual({ type: 'ok' });
        first.ws.terminate();
      },
    },
  ];
  for (const row of table) {
    it(`"${row.reason}": error control message, then the TCP socket ends without a close frame`, async () => {
      const token = newToken();
      await row.before?.(token);
      const client = await openRaw(wsUrl(server.url, { reconnectionToken: token, reconnection: 'false', ...row.query }));
      const steps = row.steps(token);
      for (const [index, step] of steps.entries()) {
        client.sendBytes(step);
        if (index < steps.length - 1) expect((controlJson(await client.next(isControl)) as { type: string }).type).toBe('sign');
      }
      expect(controlJson(await client.next(isControl))).toEqual({ type: 'error', reason: row.reason });
      expect(await client.closed).toBe(1006);
    });
  }

  it('"Unauthorized client refused" (signedData check of vsda builds) via the handshake-error fault', async () => {
    server.setFaults([{ type: 'handshake-error', attributes: { reason: HandshakeErrorReason.Unauthorized } }]);
    try {
      const client = await openRaw(wsUrl(server.url, { reconnectionToken: newToken(), reconnection: 'false' }));
      expect(controlJson(await handshake(client, 1, 'secret-token'))).toEqual({ type: 'error', reason: HandshakeErrorReason.Unauthorized });
      expect(await client.closed).toBe(1006);
    } finally {
      server.clearFaults();
    }
  });

  it('ignores Regular frames before the handshake, as the server only listens to Control then', async () => {
    const client = await openRaw(wsUrl(server.url, { reconnectionToken: newToken() }));
    client.send(protocolMessage(MessageType.Regular, 1, 0, encodeContext({ remoteAuthority: 'x', clientId: 'y' })));
    client.send(protocolMessage(MessageType.Regular, 2, 0, encodeInitialize()));
    client.send(authFrame());
    expect((controlJson(await client.next(isControl)) as { type: string }).type).toBe('sign');
    client.ws.terminate();
  });
});

describe('no close frames, ever', () => {
  it('answers a client close frame by ending the TCP socket, as the VS Code server does (the client sees 1006)', async () => {
    const client = await openRaw(wsUrl(server.url, { reconnectionToken: newToken() }));
    expect(controlJson(await handshake(client, 1, 'secret-token'))).toEqual({ type: 'ok' });
    client.ws.close(1000, 'bye');
    expect(await client.closed).toBe(1006);
  });

  it('selects no subprotocol even when the client asks for one', async () => {
    const refused = await openRaw(wsUrl(server.url, { reconnectionToken: newToken() }), {}, ['vscode']).catch((error: Error) => error.message);
    expect(refused).toBe('Server sent no subprotocol');
  });
});
