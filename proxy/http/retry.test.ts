// The HTTP retry window: a request safe to repeat (GET, HEAD, OPTIONS without a body) whose tunnel
// could not be opened is sent again while the window lasts; anything else fails at once. Against
// the tests' SOCKS relay switched between refusing and up; attempts counted at the SOCKS server.
import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { StartProxyOptions } from '../server.ts';
import { flakyPeerPerFile } from '../test/flaky-peer.ts';

const intervalMs = 40;
const flaky = flakyPeerPerFile();

async function start(options: StartProxyOptions = {}): Promise<string> {
  return (await flaky.startProxy({ httpRetryWindowMs: 400, retryIntervalMs: intervalMs, keepAliveTimeoutMs: 1, ...options })) + '/dev/code';
}

describe('the HTTP retry window', () => {
  it('answers a GET once the peer comes back inside the window', async () => {
    flaky.socks.refusing = true;
    const answer = fetch((await start()) + '/healthz');
    await expect.poll(() => flaky.connects).toBeGreaterThanOrEqual(2);
    flaky.socks.refusing = false;
    const res = await answer;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'alive' });
    await expect.poll(() => flaky.records.length).toBe(1);
    expect(flaky.records[0]?.attempts).toBeGreaterThanOrEqual(3);
  });

  it('answers 502 once the window is spent, the last cause with the attempts', async () => {
    flaky.socks.refusing = true;
    const res = await fetch((await start()) + '/healthz');
    expect(res.status).toBe(502);
    const body = await res.text();
    const attempts = Number(/cause: socks\.reply_general_failure \(REP 0x01\) \((\d+) attempts in \d+ ms\)\n$/.exec(body)?.[1]);
    expect(attempts).toBeGreaterThanOrEqual(4);
    // Every attempt reached the SOCKS server; one more may have, cut by the window's end (not counted).
    expect(flaky.connects - attempts).toBeGreaterThanOrEqual(0);
    expect(flaky.connects - attempts).toBeLessThanOrEqual(1);
  });

  it('sends a request with a body once: it is streamed, never kept to be sent again', async () => {
    flaky.socks.refusing = true;
    const res = await fetch((await start()) + '/mint-key', { method: 'POST', body: 'x' });
    expect(res.status).toBe(502);
    expect(await res.text()).toMatch(/cause: socks\.reply_general_failure \(REP 0x01\)\n$/);
    expect(flaky.connects).toBe(1);
  });

  it('stops trying when the browser leaves', async () => {
    flaky.socks.refusing = true;
    const base = await start({ httpRetryWindowMs: 60_000 });
    const req = request(base + '/healthz');
    req.on('error', () => {});
    req.end();
    await expect.poll(() => flaky.connects).toBeGreaterThanOrEqual(2);
    req.destroy();
    await expect.poll(() => flaky.records.length).toBe(1);
    const seen = flaky.connects;
    await new Promise((resolve) => setTimeout(resolve, 4 * intervalMs));
    expect(flaky.connects).toBeLessThanOrEqual(seen + 1); // at most the CONNECT already on its way
  });
});
