// The mock tailnet: peers by address and MagicDNS name, peer states, and BND = this node's address.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { server, type TestServer } from './fixture.ts';
import { startEcho, type Target } from './targets.ts';
import { RawClient } from './wire.ts';
import { GENERAL_FAILURE, GREETING_NO_AUTH, connectDomain, connectRequest } from './requests.ts';
import type { MockSocksOptions } from '../index.ts';

const PEER = '100.84.184.84';
const FAILED = 'socks5: client connection failed: ';
/** tailscaled's 5 s budget, scaled down. */
const DIAL_BUDGET_MS = 150;

let echo: Target;
beforeAll(async () => {
  echo = await startEcho();
});
afterAll(() => echo.close());

async function tailnet(extra: MockSocksOptions = {}): Promise<TestServer> {
  return server({
    dialTimeoutMs: DIAL_BUDGET_MS,
    peers: [{ address: PEER, names: ['devbox', 'devbox.tail1234.ts.net'], ports: { 8888: `127.0.0.1:${echo.port}` } }],
    ...extra,
  });
}

async function connectThrough(s: TestServer, request: string): Promise<RawClient> {
  const client = await RawClient.open(s.port);
  client.send(GREETING_NO_AUTH + request);
  return client;
}

describe('tailnet map', () => {
  const targets: [string, string][] = [
    ['by address', connectRequest(PEER, 8888)],
    ['by short MagicDNS name', connectDomain('devbox', 8888)],
    ['by FQDN, any case, trailing dot', connectDomain('DevBox.Tail1234.TS.net.', 8888)],
    ['by address written as a domain (socks5h)', connectDomain(PEER, 8888)],
  ];
  for (const [name, request] of targets) {
    it(`reaches the peer's mapped port ${name}; BND is this node's tailnet address`, async () => {
      const s = await tailnet();
      const client = await connectThrough(s, request + '6869');
      await client.bytes(14);
      // 05 00 00 01 100.100.100.100 + ephemeral port, then the echo.
      expect(client.hex).toMatch(/^05000500000164646464[0-9a-f]{4}6869$/);
      client.destroy();
      expect((await s.closeOf(1)).dialled).toBe(`127.0.0.1:${echo.port}`);
      await s.close();
    });
  }

  it('an IPv6 selfAddress gives the 22-byte success reply', async () => {
    const s = await tailnet({ selfAddress: 'fd7a:115c:a1e0::1' });
    const client = await connectThrough(s, connectRequest(PEER, 8888));
    await client.bytes(2 + 22);
    expect(client.hex).toMatch(/^050005000004fd7a115ca1e000000000000000000001[0-9a-f]{4}$/);
    client.destroy();
    await s.close();
  });

  it('a refusing peer answers 05 01 at once with netstack’s words', async () => {
    const s = await tailnet();
    s.setPeerState('devbox', 'refusing');
    const client = await connectThrough(s, connectRequest(PEER, 8888));
    await client.closed();
    expect(client.hex).toBe('0500' + GENERAL_FAILURE);
    expect(s.logs()).toEqual([FAILED + `connect tcp ${PEER}:8888: connection was refused`]);
    await s.close();
  });

  it('a port the peer does not map is refused like a closed port', async () => {
    const s = await tailnet();
    const client = await connectThrough(s, connectRequest(PEER, 9999));
    await client.closed();
    expect(s.logs()).toEqual([FAILED + `connect tcp ${PEER}:9999: connection was refused`]);
    await s.close();
  });

  for (const [name, setup] of [
    ['a down peer', (s: TestServer) => s.setPeerState(PEER, 'down')],
    ['an address nobody in the tailnet holds', () => {}],
  ] as const) {
    it(`${name} waits out the whole dial budget, then 05 01 and context deadline exceeded`, async () => {
      const s = await tailnet();
      setup(s);
      const request = name.startsWith('a down') ? connectRequest(PEER, 8888) : connectRequest('100.101.102.103', 8888);
      const client = await connectThrough(s, request);
      await client.bytes(2);
      // Half the budget in, nothing but the greeting reply has been written.
      await new Promise((r) => setTimeout(r, DIAL_BUDGET_MS / 2));
      expect(client.hex).toBe('0500');
      await client.closed();
      expect(client.hex).toBe('0500' + GENERAL_FAILURE);
      expect(s.logs()).toEqual([FAILED + 'context deadline exceeded']);
      await s.close();
    });
  }

  it('peers added and brought back up while the server runs', async () => {
    const s = await server({ dialTimeoutMs: DIAL_BUDGET_MS });
    s.addPeer({ address: '100.64.0.7', names: ['late'], ports: { 80: `127.0.0.1:${echo.port}` }, state: 'refusing' });
    const refused = await connectThrough(s, connectDomain('late', 80));
    await refused.closed();
    s.setPeerState('100.64.0.7', 'up');
    const client = await connectThrough(s, connectDomain('LATE', 80) + '6f6b');
    await client.bytes(14);
    expect(client.received.subarray(12).toString()).toBe('ok');
    client.destroy();
    await s.close();
  });

  it('rejects a peer outside 100.64.0.0/10 with a stable code', async () => {
    await expect(server({ peers: [{ address: '10.0.0.1', ports: {} }] })).rejects.toMatchObject({ code: 'peer.not_tailnet' });
  });
});
