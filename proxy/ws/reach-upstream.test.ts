// The dial phase of the WebSocket bridge: a tunnel or upgrade that failed for a reason that can pass
// is attempted again — first while the browser's upgrade is held unanswered (the hold), then while
// the browser, answered 101, waits with its first frames held (the retry window). Against the
// tests' SOCKS relay (switched between refusing and up) and the echo upstream, both scaled to ms;
// attempts are counted at the SOCKS server, so no assertion rests on a wall-clock figure beyond
// lower bounds.
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { StartProxyOptions } from '../server.ts';
import { flakyPeerPerFile } from '../test/flaky-peer.ts';
import { openClient, type TestClient } from '../test/ws-client.ts';

const windowMs = 400;
const intervalMs = 40;
const flaky = flakyPeerPerFile();

/** A browser's socket to the proxy (the echo upstream answers every message with itself). */
async function browser(options: StartProxyOptions = {}): Promise<TestClient> {
  const url = await flaky.startProxy({ wsRetryWindowMs: windowMs, wsUpgradeHoldMs: 0, retryIntervalMs: intervalMs, ...options });
  return openClient(url.replace(/^http/, 'ws') + '/dev/code/stable-x');
}

/** The browser's first frame went through: its echo came back. */
async function echoes(client: TestClient, text: string): Promise<void> {
  await client.opened;
  client.ws.send(text);
  expect((await client.next()).toString()).toBe(text);
}

const wsRecord = () => flaky.records.find((r) => r.kind === 'ws');
const tally = / \((\d+) attempts in (\d+) ms\)$/;

describe('the WebSocket retry window (after the 101: no hold)', () => {
  it('connects the browser when the peer comes back inside the window: its first frame, held, goes through', async () => {
    flaky.socks.refusing = true;
    const client = await browser();
    await client.opened;
    client.ws.send('auth');
    await expect.poll(() => flaky.connects).toBeGreaterThanOrEqual(2);
    flaky.socks.refusing = false;
    expect((await client.next()).toString()).toBe('auth');
    client.ws.close(4000, 'done');
    expect(await client.closed).toMatchObject({ code: 4000 });
    await expect.poll(wsRecord).toBeDefined();
    expect(wsRecord()?.attempts).toBeGreaterThanOrEqual(3);
    expect(wsRecord()?.cause).toBeUndefined();
  });

  it('relays the frames held across the attempts, in order, once the upstream answers', async () => {
    flaky.socks.refusing = true;
    const client = await browser();
    await client.opened;
    // Sent while no attempt has reached the upstream yet.
    for (const text of ['one', 'two', 'three']) client.ws.send(text);
    await expect.poll(() => flaky.connects).toBeGreaterThanOrEqual(2);
    flaky.socks.refusing = false;
    const echoed = [];
    for (let i = 0; i < 3; i++) echoed.push((await client.next()).toString());
    expect(echoed).toEqual(['one', 'two', 'three']);
    client.ws.close();
  });

  it('closes with 1014 once the window is spent: the last cause, with the attempts', async () => {
    flaky.socks.refusing = true;
    const opened = performance.now();
    const client = await browser();
    const closed = await client.closed;
    const after = performance.now() - opened;
    expect(closed.code).toBe(1014);
    expect(closed.reason).toMatch(/^socks\.reply_general_failure \(REP 0x01\)/);
    const [, attempts = '0', ms = '0'] = tally.exec(closed.reason) ?? [];
    expect(Number(attempts)).toBeGreaterThanOrEqual(4); // pauses of 5, 10, 20, 40, 40… ms in 400 ms
    // Every attempt reached the SOCKS server; one more may have, cut by the window's end (not counted).
    expect(flaky.connects - Number(attempts)).toBeGreaterThanOrEqual(0);
    expect(flaky.connects - Number(attempts)).toBeLessThanOrEqual(1);
    expect(Number(ms)).toBeGreaterThanOrEqual(windowMs - intervalMs);
    expect(after).toBeGreaterThanOrEqual(windowMs - intervalMs);
  });

  it('stops at once when the browser leaves during the window, and leaves no timer behind', async () => {
    const client = await leavesMidDial(0);
    expect(client.ws.readyState).toBe(client.ws.CLOSED);
  });

  it('stops at once on a browser close frame during the window, answering its code', async () => {
    flaky.socks.refusing = true;
    const client = await browser({ wsRetryWindowMs: 60_000 });
    await expect.poll(() => flaky.connects).toBeGreaterThanOrEqual(2);
    client.ws.close(4000, 'reload');
    expect(await client.closed).toMatchObject({ code: 4000 });
    await expect.poll(() => flaky.proxy()?.sessions()).toBe(0);
    const seen = flaky.connects;
    await new Promise((resolve) => setTimeout(resolve, 4 * intervalMs));
    expect(flaky.connects).toBeLessThanOrEqual(seen + 1);
  });

  it('stops on shutdown: 1001 at once, no attempt after it', async () => {
    flaky.socks.refusing = true;
    const client = await browser({ wsRetryWindowMs: 60_000 });
    await expect.poll(() => flaky.connects).toBeGreaterThanOrEqual(2);
    const closing = flaky.proxy()?.close();
    expect(await client.closed).toMatchObject({ code: 1001 });
    await closing;
    const seen = flaky.connects;
    await new Promise((resolve) => setTimeout(resolve, 4 * intervalMs));
    expect(flaky.connects).toBeLessThanOrEqual(seen + 1);
    await expect.poll(() => flaky.socks.open()).toBe(0);
  });

  it('does not try again a cause that will not pass (an upgrade refused with 403)', async () => {
    flaky.upstream.refuseUpgrades(403);
    const client = await browser();
    expect(await client.closed).toEqual({ code: 1014, reason: 'upstream.upgrade_refused (HTTP 403)' });
    expect(flaky.connects).toBe(1);
  });

  it('tries again an upgrade refused with 503 (code-server still starting behind a hop) and connects', async () => {
    flaky.upstream.refuseUpgrades(503, 2);
    const client = await browser();
    await echoes(client, 'auth');
    client.ws.close();
    await expect.poll(wsRecord).toBeDefined();
    expect(wsRecord()?.attempts).toBe(3);
  });

  it('with a window of 0 makes one attempt', async () => {
    flaky.socks.refusing = true;
    const client = await browser({ wsRetryWindowMs: 0 });
    expect(await client.closed).toEqual({ code: 1014, reason: 'socks.reply_general_failure (REP 0x01)' });
    expect(flaky.connects).toBe(1);
  });
});

describe('the upgrade hold (before the 101)', () => {
  const holdMs = 300;
  const held = (options: StartProxyOptions = {}) => browser({ wsUpgradeHoldMs: holdMs, ...options });

  it('answers the held upgrade 101 only once the upstream is reached, and relays as usual', async () => {
    flaky.socks.refusing = true;
    const client = await held({ wsUpgradeHoldMs: 60_000 });
    let opened = false;
    void client.opened.then(() => (opened = true));
    await expect.poll(() => flaky.connects).toBeGreaterThanOrEqual(3);
    // Three attempts failed and the browser has no answer yet: its socket is still connecting.
    expect(opened).toBe(false);
    expect(client.ws.readyState).toBe(client.ws.CONNECTING);
    flaky.socks.refusing = false;
    await echoes(client, 'auth');
    client.ws.close(4000, 'done');
    expect(await client.closed).toMatchObject({ code: 4000 });
    await expect.poll(wsRecord).toBeDefined();
    expect(wsRecord()?.attempts).toBeGreaterThanOrEqual(4);
    expect(wsRecord()?.hops['browser.held']).toBeGreaterThan(0);
    expect(wsRecord()?.cause).toBeUndefined();
  });

  it('answers 101 at the hold\'s end, tries on for the window, then closes 1014 with the attempts of both', async () => {
    flaky.socks.refusing = true;
    const started = performance.now();
    const client = await held();
    await client.opened;
    const openedAfter = performance.now() - started;
    const closed = await client.closed;
    expect(openedAfter).toBeGreaterThanOrEqual(holdMs - 5);
    expect(closed.code).toBe(1014);
    expect(closed.reason).toMatch(/^socks\.reply_general_failure \(REP 0x01\)/);
    const [, attempts = '0', ms = '0'] = tally.exec(closed.reason) ?? [];
    expect(Number(ms)).toBeGreaterThanOrEqual(holdMs + windowMs - intervalMs);
    expect(Number(attempts)).toBeGreaterThanOrEqual(8); // pauses of 5, 10, 20, 40, 40… ms in 700 ms
    // One attempt each, give or take the one the end cut short: before its CONNECT, or after it (then not counted).
    expect(Math.abs(flaky.connects - Number(attempts))).toBeLessThanOrEqual(1);
    await expect.poll(wsRecord).toBeDefined();
    expect(wsRecord()?.hops['browser.held']).toBeGreaterThanOrEqual(holdMs - 5);
  });

  it('answers 101 and closes at once on a cause that will not pass (an upgrade refused with 403), holding nothing', async () => {
    flaky.upstream.refuseUpgrades(403);
    const client = await held({ wsUpgradeHoldMs: 60_000 });
    await client.opened;
    expect(await client.closed).toEqual({ code: 1014, reason: 'upstream.upgrade_refused (HTTP 403)' });
    expect(flaky.connects).toBe(1);
  });

  it('stops the dial when the browser leaves during the hold, and leaves no timer or tunnel behind', async () => {
    await leavesMidDial(60_000, (client) => expect(client.ws.readyState).toBe(client.ws.CONNECTING));
    await expect.poll(wsRecord).toBeDefined();
    expect(wsRecord()).toMatchObject({ closeBrowser: 1006, attempts: expect.any(Number) });
    expect(wsRecord()?.hops['browser.held']).toBeUndefined(); // never answered
  });

  // A close frame sent before the 101 (only a hostile client does) was echoed ahead of the 101: bytes that are no HTTP response.
  it('answers a close frame sent during the hold with the 101 first, then the close', async () => {
    flaky.socks.refusing = true;
    const url = new URL(await flaky.startProxy({ wsRetryWindowMs: 60_000, wsUpgradeHoldMs: 60_000, retryIntervalMs: intervalMs }));
    const raw = connect({ host: url.hostname, port: Number(url.port) });
    raw.on('error', () => {});
    let received = Buffer.alloc(0);
    raw.on('data', (chunk: Buffer) => (received = Buffer.concat([received, chunk])));
    raw.write(`GET /dev/code/stable-x HTTP/1.1\r\nhost: ${url.host}\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\nsec-websocket-version: 13\r\n\r\n`);
    await expect.poll(() => flaky.connects).toBeGreaterThanOrEqual(2);
    expect(received.length).toBe(0); // still held
    raw.write(Buffer.from([0x88, 0x82, 0, 0, 0, 0, 0x0f, 0xa0])); // close 4000, zero mask
    const echoed = Buffer.from([0x88, 0x02, 0x0f, 0xa0]);
    await expect.poll(() => received.includes(echoed)).toBe(true);
    expect(received.toString('latin1')).toMatch(/^HTTP\/1\.1 101 /);
    expect(received.indexOf(echoed)).toBeGreaterThan(received.indexOf('\r\n\r\n'));
    raw.destroy();
    await expect.poll(() => flaky.proxy()?.sessions()).toBe(0);
  });

  it('answers shutdown during the hold with 101 and 1001, never a refused upgrade', async () => {
    flaky.socks.refusing = true;
    const client = await held({ wsUpgradeHoldMs: 60_000 });
    await expect.poll(() => flaky.connects).toBeGreaterThanOrEqual(2);
    const closing = flaky.proxy()?.close();
    await client.opened;
    expect(await client.closed).toMatchObject({ code: 1001 });
    await closing;
    await expect.poll(() => flaky.socks.open()).toBe(0);
  });
});

/**
 * A browser that drops its TCP connection while the peer refuses (`before` sees it just before):
 * the dial stops — at most the CONNECT already on its way after the session ended — and no tunnel
 * or timer of it is left.
 */
async function leavesMidDial(holdMs: number, before?: (client: TestClient) => void): Promise<TestClient> {
  flaky.socks.refusing = true;
  const url = await flaky.startProxy({ wsRetryWindowMs: 60_000, wsUpgradeHoldMs: holdMs, retryIntervalMs: intervalMs });
  const timersBefore = activeTimers();
  const client = openClient(url.replace(/^http/, 'ws') + '/dev/code/stable-x');
  await expect.poll(() => flaky.connects).toBeGreaterThanOrEqual(2);
  before?.(client);
  client.ws.terminate();
  await expect.poll(() => flaky.proxy()?.sessions()).toBe(0);
  const seen = flaky.connects;
  await new Promise((resolve) => setTimeout(resolve, 4 * intervalMs));
  expect(flaky.connects).toBeLessThanOrEqual(seen + 1);
  await expect.poll(() => flaky.socks.open()).toBe(0);
  await expect.poll(activeTimers).toBeLessThanOrEqual(timersBefore);
  return client;
}

/** Timers alive in this process (the proxy, its peers and the test share it; only the count before and after matters). */
function activeTimers(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
}
