import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startFixtureStack, tailnetUpstream, type FixtureStack } from '../test/stack.ts';
import { openClient } from '../test/ws-client.ts';
import type { Socket } from 'node:net';
import type { AccessRecord } from '../log.ts';
import { productParts, startProxy, type StartProxyOptions } from '../server.ts';
import type { LegacyKnobs } from '../legacy/index.ts';

let stack: FixtureStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

async function withStack(options: StartProxyOptions = {}, legacy?: Partial<LegacyKnobs>): Promise<FixtureStack> {
  stack = await startFixtureStack(options, legacy);
  return stack;
}

const MiB = 1024 * 1024;

describe('WebSocket bridge', () => {
  it('relays text and binary both ways and forwards the query byte for byte', async () => {
    const { wsUrl, upstream } = await withStack();
    const query = '?reconnectionToken=9f0c%2Fab&reconnection=false&skipWebSocketFrames=false&odd=%7e~';
    const client = openClient(wsUrl('/dev/code/stable-409c' + query));
    await client.opened;
    client.ws.send('workbench speaks first'); // the browser side is open before the upstream is dialled
    expect((await client.next()).toString()).toBe('workbench speaks first');
    client.ws.send(Buffer.from([0, 1, 2, 255]));
    expect([...(await client.next())]).toEqual([0, 1, 2, 255]);
    expect(upstream.upgrades[0]?.url).toBe('/stable-409c' + query);
    client.ws.close(1000, 'bye');
    expect(await client.closed).toEqual({ code: 1000, reason: 'bye' });
  });

  it('relays a 64 MiB message intact (scenario large-messages)', async () => {
    const { wsUrl } = await withStack();
    const client = openClient(wsUrl('/dev/code/big'));
    await client.opened;
    const big = Buffer.alloc(64 * MiB);
    for (let i = 0; i < big.length; i += 4096) big[i] = i & 0xff;
    client.ws.send(big);
    const echoed = await client.next();
    expect(echoed.length).toBe(big.length);
    expect(echoed.equals(big)).toBe(true);
    client.ws.close();
  });

  it('closes with 1009 when a frame is over MAX_PAYLOAD_BYTES', async () => {
    const { wsUrl } = await withStack({ maxPayloadBytes: 1024 });
    const client = openClient(wsUrl('/dev/code/x'));
    await client.opened;
    client.ws.send(Buffer.alloc(2048));
    expect(await client.closed).toEqual({ code: 1009, reason: 'proxy.message_too_big from the browser: frame of 2048 bytes over the 1024-byte limit' });
  });

  it('sends 1014 naming the cause when the upstream ends TCP without a close frame (code-server does)', async () => {
    const { wsUrl, upstream, records } = await withStack();
    const client = openClient(wsUrl('/dev/code/stable-x'));
    await client.opened;
    await expect.poll(() => upstream.sockets.size).toBe(1);
    upstream.dropAll();
    expect(await client.closed).toEqual({ code: 1014, reason: 'upstream.ended_without_close the upstream ended its connection without a close frame' });
    await expect.poll(() => records.find((r) => r.kind === 'ws')).toMatchObject({ closeBrowser: 1014, closeUpstream: 1006, cause: expect.stringMatching(/^upstream.ended_without_close/) });
  });

  it('labels a tunnel that errors without a FIN (EPIPE on a write after the SOCKS server reset it) upstream.reset, not ended_without_close', async () => {
    // Broke: only ECONNRESET counted as a reset, so a SOCKS RST noticed on a write (EPIPE) was logged upstream.ended_without_close.
    const { socks, upstream } = stack = await startFixtureStack();
    const records: AccessRecord[] = [];
    const tunnels: Socket[] = [];
    const proxy = await startProxy({ socksUrl: socks.url(), upstreamUrl: tailnetUpstream, log: (r) => records.push({ ...r }), upstreamEndSettleMs: 5 }, (config, hooks) => {
      const dialer = productParts(config, hooks).dialer;
      return productParts(config, hooks, {
        dialer: { serverName: dialer.serverName, abortAll: () => dialer.abortAll(), dial: async (target) => { const tunnel = await dialer.dial(target); tunnels.push(tunnel.socket); return tunnel; } },
      });
    });
    try {
      const client = openClient(proxy.url.replace(/^http/, 'ws') + '/dev/code/x');
      await client.opened;
      await expect.poll(() => upstream.sockets.size).toBe(1);
      tunnels[0]?.destroy(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      expect(await client.closed).toMatchObject({ code: 1014, reason: expect.stringMatching(/^upstream\.reset /) });
      await expect.poll(() => records.find((r) => r.kind === 'ws')?.cause).toMatch(/^upstream\.reset connection reset without a close frame \(EPIPE\)/);
    } finally {
      await proxy.close();
    }
  });

  it('answers pings (the far end does: control frames cross the proxy like any frame)', async () => {
    const { wsUrl } = await withStack();
    const client = openClient(wsUrl('/dev/code/x'));
    await client.opened;
    const pong = new Promise<string>((resolve) => client.ws.once('pong', (data: Buffer) => resolve(data.toString())));
    client.ws.ping('are you there');
    expect(await pong).toBe('are you there');
    client.ws.close();
  });

  it('passes an upstream close code through', async () => {
    const { wsUrl } = await withStack();
    const client = openClient(wsUrl('/dev/code/x'));
    await client.opened;
    client.ws.send('close-4001');
    expect(await client.closed).toEqual({ code: 4001, reason: 'upstream says bye' });
  });

  it('gives the browser a close frame, not 1006, when SOCKS is unreachable (no hold, no retry window: one attempt)', async () => {
    const { wsUrl, socks } = await withStack({ wsRetryWindowMs: 0, wsUpgradeHoldMs: 0 });
    await socks.close();
    const client = openClient(wsUrl('/dev/code/x'));
    const closed = await client.closed;
    expect(closed.code).toBe(1014);
    expect(closed.reason).toMatch(/^socks.connect_refused 127.0.0.1:\d+$/);
  });

  it('ends a session at its lifetime with 1001 (Cloud Run request timeout, scenario request-timeout)', async () => {
    const { wsUrl } = await withStack({ wsLifetimeMs: 50 });
    const client = openClient(wsUrl('/dev/code/x'));
    await client.opened;
    expect(await client.closed).toEqual({ code: 1001, reason: 'proxy.lifetime after 50 ms' });
  });

  it('closes one session over the limit with 1013', async () => {
    const { wsUrl } = await withStack({ maxConnections: 1 });
    const first = openClient(wsUrl('/dev/code/x'));
    await first.opened;
    const second = openClient(wsUrl('/dev/code/x'));
    expect((await second.closed).code).toBe(1013);
    first.ws.close();
  });

  it('ends with 1011 at once when the upgrade path throws (scenario tunnel-idle)', async () => {
    const { wsUrl, socks } = await withStack({
      beforeDial: () => {
        throw new TypeError("create_connection() got an unexpected keyword argument 'extra_headers'");
      },
    });
    const client = openClient(wsUrl('/dev/code/x'));
    const closed = await client.closed;
    expect(closed.code).toBe(1011);
    expect(closed.reason).toMatch(/^proxy.internal create_connection/);
    expect(socks.connects).toEqual([]);
  });

  it('sends 1001 to open sessions on shutdown', async () => {
    const { wsUrl, proxy } = await withStack();
    const client = openClient(wsUrl('/dev/code/x'));
    await client.opened;
    const closing = proxy.close();
    expect(await client.closed).toEqual({ code: 1001, reason: 'proxy.shutdown the proxy is shutting down' });
    await closing;
  });

  it('applies backpressure: an upstream that stops reading stops the proxy reading the browser', async () => {
    const { wsUrl } = await withStack();
    const client = openClient(wsUrl('/dev/code/stall'));
    await client.opened;
    const chunk = Buffer.alloc(64 * 1024);
    for (let i = 0; i < 400; i++) client.ws.send(chunk); // 25 MiB towards an upstream that reads nothing
    // Give the proxy every chance to read: 20 round trips through another session on it.
    const other = openClient(wsUrl('/dev/code/x'));
    await other.opened;
    for (let i = 0; i < 20; i++) {
      other.ws.send('tick');
      await other.next();
    }
    // Without backpressure the proxy would have read (and held) it all; socket buffers hold a few MiB.
    expect(client.ws.bufferedAmount).toBeGreaterThan(12 * MiB);
    client.ws.terminate();
    other.ws.close();
  });

  it('closes the terminal route with 1014 when TERMINAL_URL is not set', async () => {
    const { wsUrl } = await withStack({ terminalUrl: '' });
    const closed = await openClient(wsUrl('/dev/ws/terminal')).closed;
    expect(closed).toEqual({ code: 1014, reason: 'route.not_configured TERMINAL_URL is not set' });
  });

  it('legacy passThroughUpgrade: the same failures are 1006 (proves the assertions above can fail)', async () => {
    const { wsUrl, upstream } = await withStack({}, { passThroughUpgrade: true });
    const client = openClient(wsUrl('/dev/code/x'));
    await client.opened;
    await expect.poll(() => upstream.sockets.size).toBe(1);
    upstream.dropAll();
    expect((await client.closed).code).toBe(1006);
    expect(WebSocket.CLOSED).toBe(client.ws.readyState);
  });
});
