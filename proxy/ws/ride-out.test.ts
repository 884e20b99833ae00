// A workbench connection whose upstream ends mid-session is kept open — a VS Code KeepAlive every
// few ms instead of a close — while the tunnel is tried again, and closed with 1014 as soon as the
// peer answers, so that the workbench's reconnection, which starts with no pause, finds it. Against
// the tests' SOCKS relay (switched to refusing) and the echo upstream (its TCP ends without a close
// frame, as code-server's does), scaled to ms; what is asserted is counted, not timed.
import { describe, expect, it } from 'vitest';
import type { StartProxyOptions } from '../server.ts';
import { flakyPeerPerFile } from '../test/flaky-peer.ts';
import { openClient, type TestClient } from '../test/ws-client.ts';
import { vscodeKeepAlive } from './vscode-stream.ts';

const flaky = flakyPeerPerFile();
const workbenchQuery = '?reconnectionToken=4f1c&reconnection=false&skipWebSocketFrames=false';
const keepAliveData = vscodeKeepAlive.subarray(2);

/** A protocol message (ipc.net.ts): type Regular, id 1, ack 0, `data` bytes — of which only `sent` go out. */
function protocolMessage(dataBytes: number, sent = dataBytes): Buffer {
  const bytes = Buffer.alloc(13 + sent, 0x62);
  bytes.writeUInt8(1, 0);
  bytes.writeUInt32BE(1, 1);
  bytes.writeUInt32BE(0, 5);
  bytes.writeUInt32BE(dataBytes, 9);
  return bytes;
}

/** A browser on the workbench route (or `path`); its first message echoed, so the stream has started. */
async function browser(options: StartProxyOptions, first = protocolMessage(20), path = `/dev/code/stable-x/${workbenchQuery}`): Promise<TestClient> {
  const url = await flaky.startProxy({ wsRetryWindowMs: 0, wsUpgradeHoldMs: 0, retryIntervalMs: 20, upstreamEndSettleMs: 10, wsRideOutKeepAliveMs: 15, ...options });
  const client = openClient(url.replace(/^http/, 'ws') + path);
  await client.opened;
  client.ws.send(first);
  expect(await client.next()).toEqual(first);
  return client;
}

/** The peer goes away: CONNECTs refused, and the upstream's TCP ends without a close frame. */
function peerGone(): void {
  flaky.socks.refusing = true;
  flaky.upstream.dropAll();
}

function keepAlivesOf(client: TestClient): { count: number } {
  const seen = { count: 0 };
  client.ws.on('message', (data: Buffer) => {
    if (data.equals(keepAliveData)) seen.count++;
  });
  return seen;
}

const wsRecord = () => flaky.records.find((r) => r.kind === 'ws');

describe('riding out the upstream of a workbench connection', () => {
  it('keeps the browser with KeepAlives while the peer is away, and closes it with 1014 once the peer answers', async () => {
    const client = await browser({ wsRideOutMs: 60_000 });
    const keepAlives = keepAlivesOf(client);
    let closed = false;
    void client.closed.then(() => (closed = true));
    const before = flaky.connects;
    peerGone();
    await expect.poll(() => keepAlives.count).toBeGreaterThanOrEqual(3);
    await expect.poll(() => flaky.connects - before).toBeGreaterThanOrEqual(3);
    expect(closed).toBe(false);
    flaky.socks.refusing = false;
    const { code, reason } = await client.closed;
    expect(code).toBe(1014);
    expect(reason).toMatch(/^upstream\.(ended_without_close|reset) .*; kept \d+ ms, reachable again$/);
    await expect.poll(wsRecord).toBeDefined();
    expect(wsRecord()?.hops['upstream.ride_out']).toBeGreaterThan(0);
    await expect.poll(() => flaky.socks.open()).toBe(0);
  });

  it('does not wait for the tries held while the peer was down: one started after its return lands', async () => {
    const client = await browser({ wsRideOutMs: 60_000 });
    const before = flaky.connects;
    flaky.socks.downForMs = 30_000;
    flaky.upstream.dropAll();
    await expect.poll(() => flaky.connects - before).toBeGreaterThanOrEqual(3);
    const back = performance.now();
    flaky.socks.downForMs = 0;
    const { code, reason } = await client.closed;
    expect(code).toBe(1014);
    expect(reason).toMatch(/; kept \d+ ms, reachable again$/);
    // The tries held before the return would answer 30 s later; a loaded machine takes well under 10.
    expect(performance.now() - back).toBeLessThan(10_000);
  });

  it('closes at once when the peer is still there: the upstream itself ended the connection', async () => {
    const client = await browser({ wsRideOutMs: 60_000 });
    const before = flaky.connects;
    flaky.upstream.dropAll();
    const { code, reason } = await client.closed;
    expect(code).toBe(1014);
    expect(reason).toMatch(/; kept \d+ ms, reachable again$/);
    expect(flaky.connects - before).toBe(1);
  });

  it('closes with 1014 when the window ends with the peer still away', async () => {
    // The interval is far beyond the window: the one KeepAlive is the ride's first, sent at once.
    const client = await browser({ wsRideOutMs: 150, wsRideOutKeepAliveMs: 19_000 });
    const keepAlives = keepAlivesOf(client);
    peerGone();
    const { code, reason } = await client.closed;
    expect(code).toBe(1014);
    expect(reason).toMatch(/; kept \d+ ms, still unreachable$/);
    expect(keepAlives.count).toBe(1);
  });

  it('stops trying once the browser leaves during the ride', async () => {
    const client = await browser({ wsRideOutMs: 60_000 });
    const keepAlives = keepAlivesOf(client);
    peerGone();
    await expect.poll(() => keepAlives.count).toBeGreaterThanOrEqual(1);
    client.ws.close(1000, 'tab closed');
    expect(await client.closed).toMatchObject({ code: 1000 });
    await expect.poll(wsRecord).toBeDefined();
    const settled = flaky.connects;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(flaky.connects).toBe(settled);
    expect(wsRecord()?.hops['upstream.ride_out']).toBeUndefined();
  });

  it('ends the ride on shutdown and at the lifetime: 1001, and no try after it', async () => {
    for (const [options, end] of [
      [{ wsRideOutMs: 60_000 }, () => void flaky.proxy()?.close()],
      [{ wsRideOutMs: 60_000, wsLifetimeMs: 300 }, () => {}],
    ] as const) {
      const client = await browser(options);
      const keepAlives = keepAlivesOf(client);
      peerGone();
      await expect.poll(() => keepAlives.count).toBeGreaterThanOrEqual(1);
      end();
      const { code } = await client.closed;
      expect(code).toBe(1001);
      // A CONNECT written just before the abort may still be read after the close: counted from a moment later.
      await new Promise((resolve) => setTimeout(resolve, 50));
      const tries = flaky.connects;
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(flaky.connects).toBe(tries);
      await flaky.reset();
    }
  });

  it('closes at once (no KeepAlive) when the browser was sent half a protocol message: ours would land inside it', async () => {
    const client = await browser({ wsRideOutMs: 60_000 }, protocolMessage(100, 10));
    const keepAlives = keepAlivesOf(client);
    peerGone();
    const { code, reason } = await client.closed;
    expect(code).toBe(1014);
    expect(reason).not.toMatch(/kept/);
    expect(keepAlives.count).toBe(0);
  });

  it('closes at once any WebSocket that is not a workbench connection, and every one with the ride off', async () => {
    for (const [options, path] of [
      [{ wsRideOutMs: 60_000 }, '/dev/code/stable-x/'],
      [{ wsRideOutMs: 0 }, `/dev/code/stable-x/${workbenchQuery}`],
    ] as const) {
      const client = await browser(options, protocolMessage(20), path);
      peerGone();
      const { code, reason } = await client.closed;
      expect(code, path).toBe(1014);
      expect(reason, path).not.toMatch(/kept/);
      await flaky.reset();
    }
  });
});
