// The proxy's pings towards the browser: they keep a quiet session visible to a hop in front that
// drops idle connections, leave a busy one alone, go between whole frames, and stop with the session.
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

  it('pings a quiet session once per interval, none while the session may not send one, and leaves no timer once stopped', () => {
    vi.useFakeTimers();
    const socket = new PassThrough();
    const written: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => written.push(chunk));
    let open = true;
    const keepalive = keepBrowserAlive(1000, () => (open ? socket : undefined), { bytesUp: 0, bytesDown: 0 });
    vi.advanceTimersByTime(3000);
    expect(written.map((b) => b.toString('hex'))).toEqual(['8900', '8900', '8900']);
    open = false;
    vi.advanceTimersByTime(3000);
    expect(written).toHaveLength(3);
    keepalive?.stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('does not ping a session whose bytes cross both ways, and pings one quiet in either direction', () => {
    vi.useFakeTimers();
    const socket = new PassThrough();
    let pings = 0;
    socket.on('data', () => pings++);
    const traffic = { bytesUp: 0, bytesDown: 0 };
    const keepalive = keepBrowserAlive(1000, () => socket, traffic);
    const flow = (up: number, down: number, ms: number) => {
      for (let t = 0; t < ms; t += 100) {
        traffic.bytesUp += up;
        traffic.bytesDown += down;
        vi.advanceTimersByTime(100);
      }
    };
    flow(10, 10, 5000);
    expect(pings).toBe(0);
    flow(10, 0, 5000); // the upstream quiet: the hop in front sees nothing towards the browser
    expect(pings).toBeGreaterThanOrEqual(4);
    pings = 0;
    flow(0, 10, 5000); // the browser quiet (a throttled background tab): its pongs are its traffic
    expect(pings).toBeGreaterThanOrEqual(4);
    keepalive?.stop();
  });

  it('leaves no direction quiet longer than the interval, whatever the traffic (pongs answered at once)', () => {
    vi.useFakeTimers();
    const interval = 1000;
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let run = 0; run < 20; run++) {
      const socket = new PassThrough();
      const traffic = { bytesUp: 0, bytesDown: 0 };
      let now = 0;
      const last = { up: 0, down: 0 };
      let worst = 0;
      // A ping is traffic towards the browser, and its pong towards the upstream.
      socket.on('data', () => {
        traffic.bytesDown += 2;
        traffic.bytesUp += 6;
        last.up = last.down = now;
      });
      const keepalive = keepBrowserAlive(interval, () => socket, traffic);
      const pUp = random();
      const pDown = random();
      for (; now < 60_000; now += 10) {
        if (random() < pUp / 20) {
          traffic.bytesUp++;
          last.up = now;
        }
        if (random() < pDown / 20) {
          traffic.bytesDown++;
          last.down = now;
        }
        vi.advanceTimersByTime(10);
        worst = Math.max(worst, now - last.up, now - last.down);
      }
      keepalive?.stop();
      expect(worst, `run ${run}: up ${pUp.toFixed(2)}, down ${pDown.toFixed(2)}`).toBeLessThanOrEqual(interval);
    }
  });

  it('arms nothing when the interval is 0', () => {
    vi.useFakeTimers();
    expect(keepBrowserAlive(0, () => new PassThrough(), { bytesUp: 0, bytesDown: 0 })).toBeUndefined();
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
