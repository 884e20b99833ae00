// The retry window of the WebSocket bridge: while the browser, already answered, waits with its
// first frames held, a tunnel or upgrade that failed for a reason that can pass is attempted again.
// Against mock-socks (a peer switched between refusing and up) and mock-code-server, windows scaled
// to ms; attempts are counted at the SOCKS server, so no assertion rests on a wall-clock figure
// beyond lower bounds.
import { describe, expect, it } from 'vitest';
import { encodeMessage, MessageType, protocolMessage } from '../../mock-code-server/common/index.ts';
import type { StartProxyOptions } from '../server.ts';
import { flakyPeerPerFile, peer } from '../test/flaky-peer.ts';
import { workbenchSocket } from '../test/workbench.ts';

const windowMs = 400;
const intervalMs = 40;
const flaky = flakyPeerPerFile();

async function start(options: StartProxyOptions = {}): Promise<string> {
  const url = await flaky.startProxy({ wsRetryWindowMs: windowMs, retryIntervalMs: intervalMs, ...options });
  return url.replace(/^http/, 'ws') + '/dev/code';
}

const wsRecord = () => flaky.records.find((r) => r.kind === 'ws');
const tally = / \((\d+) attempts in (\d+) ms\)$/;

describe('the WebSocket retry window', () => {
  it('connects the workbench when the peer comes back inside the window: its held auth goes through', async () => {
    flaky.socks.setPeerState(peer, 'refusing');
    const wb = workbenchSocket(await start());
    await expect.poll(() => flaky.connects.length).toBeGreaterThanOrEqual(2);
    flaky.socks.setPeerState(peer, 'up');
    expect(await wb.outcome).toBe('ok');
    wb.client.ws.close(4000, 'done');
    expect(await wb.client.closed).toMatchObject({ code: 4000 });
    await expect.poll(wsRecord).toBeDefined();
    expect(wsRecord()?.attempts).toBeGreaterThanOrEqual(3);
    expect(wsRecord()?.cause).toBeUndefined();
  });

  it('relays the frames held across the attempts once the upstream answers', async () => {
    flaky.socks.setPeerState(peer, 'refusing');
    const wb = workbenchSocket(await start());
    await wb.client.opened;
    // Regulars behind the auth, sent while no attempt has reached the upstream yet.
    for (let id = 1; id <= 3; id++) wb.client.ws.send(encodeMessage(protocolMessage(MessageType.Regular, id, 0, new Uint8Array([id]))));
    await expect.poll(() => flaky.connects.length).toBeGreaterThanOrEqual(2);
    flaky.socks.setPeerState(peer, 'up');
    expect(await wb.outcome).toBe('ok');
    wb.client.ws.close();
    await expect.poll(wsRecord).toBeDefined();
    expect(wsRecord()?.bytesUp).toBeGreaterThan(3 * 14);
  });

  it('closes with 1014 once the window is spent: the last cause, with the attempts', async () => {
    flaky.socks.setPeerState(peer, 'refusing');
    const opened = performance.now();
    const wb = workbenchSocket(await start());
    const closed = await wb.client.closed;
    const after = performance.now() - opened;
    expect(closed.code).toBe(1014);
    expect(closed.reason).toMatch(/^socks\.reply_general_failure \(REP 0x01\)/);
    const [, attempts = '0', ms = '0'] = tally.exec(closed.reason) ?? [];
    expect(Number(attempts)).toBeGreaterThanOrEqual(4); // pauses of 5, 10, 20, 40, 40… ms in 400 ms
    await expect.poll(() => flaky.connects.length).toBe(Number(attempts)); // the last CONNECT's record may come just after the close
    expect(Number(ms)).toBeGreaterThanOrEqual(windowMs - intervalMs);
    expect(after).toBeGreaterThanOrEqual(windowMs - intervalMs);
    expect(await wb.outcome).toBe('closed 1014');
  });

  it('stops at once when the browser leaves during the window, and leaves no timer behind', async () => {
    flaky.socks.setPeerState(peer, 'refusing');
    const base = await start({ wsRetryWindowMs: 60_000 });
    const timersBefore = activeTimers();
    const wb = workbenchSocket(base);
    await expect.poll(() => flaky.connects.length).toBeGreaterThanOrEqual(2);
    wb.client.ws.terminate();
    await expect.poll(() => flaky.proxy()?.sessions()).toBe(0);
    const seen = flaky.connects.length;
    await new Promise((resolve) => setTimeout(resolve, 4 * intervalMs));
    expect(flaky.connects.length).toBeLessThanOrEqual(seen + 1); // at most the CONNECT already on its way
    expect(flaky.socks.connections()).toEqual([]);
    await expect.poll(activeTimers).toBeLessThanOrEqual(timersBefore);
  });

  it('stops at once on a browser close frame during the window, answering its code', async () => {
    flaky.socks.setPeerState(peer, 'refusing');
    const wb = workbenchSocket(await start({ wsRetryWindowMs: 60_000 }));
    await expect.poll(() => flaky.connects.length).toBeGreaterThanOrEqual(2);
    wb.client.ws.close(4000, 'reload');
    expect(await wb.client.closed).toMatchObject({ code: 4000 });
    await expect.poll(() => flaky.proxy()?.sessions()).toBe(0);
    const seen = flaky.connects.length;
    await new Promise((resolve) => setTimeout(resolve, 4 * intervalMs));
    expect(flaky.connects.length).toBeLessThanOrEqual(seen + 1);
  });

  it('stops on shutdown: 1001 at once, no attempt after it', async () => {
    flaky.socks.setPeerState(peer, 'refusing');
    const wb = workbenchSocket(await start({ wsRetryWindowMs: 60_000 }));
    await expect.poll(() => flaky.connects.length).toBeGreaterThanOrEqual(2);
    const closing = flaky.proxy()?.close();
    expect(await wb.client.closed).toMatchObject({ code: 1001 });
    await closing;
    const seen = flaky.connects.length;
    await new Promise((resolve) => setTimeout(resolve, 4 * intervalMs));
    expect(flaky.connects.length).toBeLessThanOrEqual(seen + 1);
    expect(flaky.socks.connections()).toEqual([]);
  });

  it('does not try again a cause that will not pass (an upgrade refused with 403)', async () => {
    flaky.codeServer.setFaults([{ type: 'upgrade-refuse', attributes: { status: 403 } }]);
    const wb = workbenchSocket(await start());
    expect(await wb.client.closed).toEqual({ code: 1014, reason: 'upstream.upgrade_refused (HTTP 403)' });
    expect(flaky.connects.length).toBe(1);
  });

  it('tries again an upgrade refused with 503 (code-server still starting behind a hop) and connects', async () => {
    flaky.codeServer.setFaults([{ type: 'upgrade-refuse', attributes: { status: 503 }, which: { first: 2 } }]);
    const wb = workbenchSocket(await start());
    expect(await wb.outcome).toBe('ok');
    wb.client.ws.close();
    await expect.poll(wsRecord).toBeDefined();
    expect(wsRecord()?.attempts).toBe(3);
  });

  it('with a window of 0 makes one attempt', async () => {
    flaky.socks.setPeerState(peer, 'refusing');
    const wb = workbenchSocket(await start({ wsRetryWindowMs: 0 }));
    expect(await wb.client.closed).toEqual({ code: 1014, reason: 'socks.reply_general_failure (REP 0x01)' });
    expect(flaky.connects.length).toBe(1);
  });
});

/** Timers alive in this process (the proxy, the mocks and the test share it; only the count before and after matters). */
function activeTimers(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
}
