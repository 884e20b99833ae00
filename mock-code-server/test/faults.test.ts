import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { MessageType } from '../common/framing.ts';
import { connectWorkbench } from '../common/workbench.ts';
import { recorded } from './recorded-frames.ts';
import { ECHO_CHANNEL } from '../node/management.ts';
import { useServer } from './server-fixture.ts';
import { COMMIT, controlJson, handshake, openRaw, wsUrl } from './raw-client.ts';
import { rawUpgrade, upgradeHeaders } from './raw-http.ts';

const fx = useServer();

let counter = 0;
const query = () => ({ reconnectionToken: `fault-${++counter}`, reconnection: 'false', skipWebSocketFrames: 'false' });

describe('server faults', () => {
  it('end-after-messages ends the TCP socket once N Regular messages crossed it', async () => {
    fx.server.setFaults([{ type: 'end-after-messages', attributes: { count: 2 } }]);
    const client = await openRaw(wsUrl(fx.server.url, query()));
    expect(controlJson(await handshake(client, 1))).toEqual({ type: 'ok' });
    client.sendBytes(recorded.context); // Regular 1 in; the server's Initialize is Regular 2 out
    const initialize = await client.next((m) => m.type === MessageType.Regular);
    expect(initialize.id).toBe(1);
    expect(await client.closed).toBe(1006);
  });

  it('end-after-ms ends the TCP socket without a close frame', async () => {
    fx.server.setFaults([{ type: 'end-after-ms', attributes: { ms: 30 } }]);
    const client = await openRaw(wsUrl(fx.server.url, query()));
    expect(await client.closed).toBe(1006);
  });

  it('upgrade-refuse answers the upgrade with a raw HTTP status', async () => {
    fx.server.setFaults([{ type: 'upgrade-refuse', attributes: { status: 502 } }]);
    const reply = await rawUpgrade(fx.server.port, `/stable-${COMMIT}?reconnectionToken=x`, upgradeHeaders(`127.0.0.1:${fx.server.port}`));
    expect(reply).toMatch(/^HTTP\/1\.1 502 Bad Gateway\r\n/);
  });

  it('upgrade-delay holds the 101 back', async () => {
    fx.server.setFaults([{ type: 'upgrade-delay', attributes: { ms: 80 } }]);
    const started = Date.now();
    const client = await openRaw(wsUrl(fx.server.url, query()));
    expect(Date.now() - started).toBeGreaterThanOrEqual(75);
    client.ws.terminate();
  });

  it('which: {nth: 2} touches only the second upgrade', async () => {
    fx.server.setFaults([{ type: 'upgrade-refuse', attributes: { status: 503 }, which: { nth: 2 } }]);
    const host = `127.0.0.1:${fx.server.port}`;
    const replies = [];
    for (let i = 0; i < 3; i++) replies.push((await rawUpgrade(fx.server.port, '/x', upgradeHeaders(host), true)).split('\r\n')[0]);
    expect(replies).toEqual(['HTTP/1.1 101 Switching Protocols', 'HTTP/1.1 503 Service Unavailable', 'HTTP/1.1 101 Switching Protocols']);
  });

  it('stop-sending: the client hears nothing, declares the socket dead after 20 s (scaled) and reconnects', async () => {
    fx.server.setFaults([{ type: 'stop-sending', which: { first: 1 } }]);
    fx.workbench = await connectWorkbench({ baseUrl: fx.server.url, WebSocket, commit: COMMIT, timeScale: 0.01, extensionHost: false });
    expect(await fx.workbench.management.call(ECHO_CHANNEL, 'echo', 'after silence')).toBe('after silence');
    const kinds = fx.workbench.timeline.map((e) => `${e.kind}${e.kind === 'error' ? `:${e.reason?.slice(0, 14)}` : ''}`);
    expect(kinds.slice(0, 3)).toEqual(['attempt', 'open', 'handshake']);
    expect(kinds).toContain('error:socket timeout');
    expect(fx.workbench.timeline.some((e) => e.kind === 'handshake' && e.reason?.startsWith('reconnected'))).toBe(true);
  });

  it('refuses unknown fault types and bad attributes with code fault.invalid', () => {
    expect(() => fx.server.setFaults([{ type: 'no-such-fault' }])).toThrowError(expect.objectContaining({ code: 'fault.invalid' }));
    expect(() => fx.server.setFaults([{ type: 'end-after-ms', attributes: { ms: 'soon' } }])).toThrowError(expect.objectContaining({ code: 'fault.invalid' }));
  });
});
