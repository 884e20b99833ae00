// throttled-between-requests: tailscaled on Cloud Run with CPU only during requests — after an idle
// stretch the first tailnet CONNECTs wait for the node to catch up, and may fail on a stale map.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { server, type TestServer } from './fixture.ts';
import { startEcho, type Target } from './targets.ts';
import { RawClient, delay } from './wire.ts';
import { GENERAL_FAILURE, GREETING_NO_AUTH, connectRequest } from './requests.ts';
import type { FaultSpec } from '../index.ts';

let echo: Target;
beforeAll(async () => {
  echo = await startEcho();
});
afterAll(() => echo.close());

const peers = () => [{ address: '100.84.184.84', names: ['devbox'], ports: { 80: `127.0.0.1:${echo.port}` } }];

/** Opens a connection and asks for a CONNECT; resolves with the client and when it was opened. */
async function ask(s: TestServer, host: string, port: number): Promise<{ client: RawClient; opened: number }> {
  const opened = performance.now();
  const client = await RawClient.open(s.port);
  client.send(GREETING_NO_AUTH + connectRequest(host, port));
  return { client, opened };
}

describe('throttled-between-requests', () => {
  it('after an idle stretch of idleMs, tailnet CONNECTs wait until stallMs after the wake; host targets and a short idle do not', async () => {
    const fault: FaultSpec = { type: 'throttled-between-requests', attributes: { idleMs: 300, stallMs: 400 } };
    const s = await server({ faults: [fault], peers: peers() });
    // Right after start the node has not been idle long enough: no stall.
    const fresh = await ask(s, 'devbox', 80);
    await fresh.client.bytes(12);
    fresh.client.destroy();
    await s.closeOf(1);

    await delay(350);
    const woke = await ask(s, 'devbox', 80);
    const host = await ask(s, '127.0.0.1', echo.port);
    const sameWake = await ask(s, '100.84.184.84', 80);
    await host.client.bytes(12);
    expect(woke.client.received.length).toBe(2);
    await woke.client.bytes(12);
    await sameWake.client.bytes(12);
    expect(performance.now() - woke.opened).toBeGreaterThanOrEqual(395);
    expect(woke.client.hex.slice(4, 8)).toBe('0500');
    expect(sameWake.client.hex.slice(4, 8)).toBe('0500');

    // Still busy (these connections are open): a new CONNECT after the stall goes straight through.
    const later = await ask(s, 'devbox', 80);
    await later.client.bytes(12);
    expect(later.client.hex.slice(4, 8)).toBe('0500');
    expect(s.logs()).toEqual([]);
    await s.close();
  });

  it('the first failConnects CONNECTs of a wake fail as a stale map would; set live, it sees the idle stretch before it', async () => {
    const s = await server({ peers: peers(), dialTimeoutMs: 40 });
    s.setFaults([{ type: 'throttled-between-requests', attributes: { stallMs: 80, failConnects: 1 } }]);
    const first = await ask(s, 'devbox', 80);
    // Its greeting reply means the server has already read its CONNECT: it is the first one asked.
    await first.client.bytes(2);
    const second = await ask(s, 'devbox', 80);
    await first.client.closed();
    await second.client.bytes(12);
    expect(first.client.hex).toBe('0500' + GENERAL_FAILURE);
    expect(second.client.hex.slice(4, 8)).toBe('0500');
    expect(s.logs()).toEqual(['socks5: client connection failed: context deadline exceeded']);
    await s.close();
  });

  it('is refused with a where, a fractional failConnects, or failConnects without a stall', async () => {
    const s = await server();
    for (const bad of [
      { type: 'throttled-between-requests', where: 'connect', attributes: { stallMs: 1 } },
      { type: 'throttled-between-requests', attributes: { stallMs: 1, failConnects: 0.5 } },
      { type: 'throttled-between-requests', attributes: { stallMs: 0, failConnects: 1 } },
      { type: 'throttled-between-requests', attributes: {} },
    ]) expect(() => s.setFaults([bad])).toThrow(expect.objectContaining({ code: 'fault.invalid' }));
    await s.close();
  });
});
