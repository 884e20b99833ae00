// The proxy's pings towards the browser: they keep a quiet session visible to a hop in front that
// drops idle connections, go between whole frames, and stop with the session.
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { WebSocket } from 'ws';
import { startFixtureStack, type FixtureStack } from '../test/stack.ts';
import { openClient } from '../test/ws-client.ts';
import { keepBrowserAlive } from './keepalive.ts';

describe('keepBrowserAlive', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes a 2-byte unmasked ping every interval, none while the session may not send one, and no timer once stopped', () => {
    vi.useFakeTimers();
    const socket = new PassThrough();
    const written: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => written.push(chunk));
    let open = true;
    const keepalive = keepBrowserAlive(1000, () => (open ? socket : undefined));
    vi.advanceTimersByTime(3000);
    expect(written.map((b) => b.toString('hex'))).toEqual(['8900', '8900', '8900']);
    open = false;
    vi.advanceTimersByTime(3000);
    expect(written).toHaveLength(3);
    keepalive?.stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('arms nothing when the interval is 0', () => {
    vi.useFakeTimers();
    expect(keepBrowserAlive(0, () => new PassThrough())).toBeUndefined();
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('WS_PING_INTERVAL_MS through the proxy', () => {
  let stack: FixtureStack | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });

  it('pings a quiet session; the browser’s pongs reach the upstream as unsolicited pongs (RFC 6455 §5.5.3)', async () => {
    stack = await startFixtureStack({ wsPingIntervalMs: 20 });
    const client = openClient(stack.wsUrl('/dev/code/quiet'));
    let pings = 0;
    client.ws.on('ping', () => pings++);
    await client.opened;
    await expect.poll(() => stack?.upstream.sockets.size).toBe(1);
    let pongs = 0;
    for (const upstream of stack.upstream.sockets) (upstream as WebSocket).on('pong', () => pongs++);
    await expect.poll(() => pings).toBeGreaterThanOrEqual(3);
    await expect.poll(() => pongs).toBeGreaterThanOrEqual(2);
    client.ws.close(1000, 'done');
    expect(await client.closed).toEqual({ code: 1000, reason: 'done' });
  });

  it('never puts a ping inside a frame: a 16 MiB message crosses intact with a ping due every millisecond', async () => {
    stack = await startFixtureStack({ wsPingIntervalMs: 1 });
    const client = openClient(stack.wsUrl('/dev/code/big'));
    let pings = 0;
    client.ws.on('ping', () => pings++);
    await client.opened;
    const big = Buffer.alloc(16 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4096) big[i] = (i >> 12) & 0xff;
    client.ws.send(big);
    // `ws` fails the connection (1002) on a control frame in the middle of a data frame.
    expect((await client.next()).equals(big)).toBe(true);
    expect(pings).toBeGreaterThan(0);
    client.ws.close(1000);
    expect(await client.closed).toMatchObject({ code: 1000 });
  });

  it('sends no ping with the interval at 0', async () => {
    stack = await startFixtureStack({ wsPingIntervalMs: 0 });
    const client = openClient(stack.wsUrl('/dev/code/quiet'));
    let pings = 0;
    client.ws.on('ping', () => pings++);
    await client.opened;
    client.ws.send('hello');
    expect((await client.next()).toString()).toBe('hello');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(pings).toBe(0);
    client.ws.close(1000);
    await client.closed;
  });
});
