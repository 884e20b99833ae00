// The rows of specs/tailscale-socks5.md that the recorded vectors do not cover.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { server } from './fixture.ts';
import { closedPort, startEcho, type Target } from './targets.ts';
import { RawClient } from './wire.ts';
import { GENERAL_FAILURE, GREETING_NO_AUTH, connectDomain, connectRequest } from './requests.ts';

let echo: Target;
beforeAll(async () => {
  echo = await startEcho();
});
afterAll(() => echo.close());

const FAILED = 'socks5: client connection failed: ';

/** Sends `hex` (after `prefix`) and half-closes; returns what the server wrote and logged. */
async function conversation(hex: string, options: Parameters<typeof server>[0] = {}) {
  const s = await server(options);
  const client = await RawClient.open(s.port);
  client.send(hex);
  client.shutdown();
  await client.closed();
  const record = await s.closeOf(1);
  const result = { reply: client.hex, logs: s.logs(), record };
  client.destroy();
  await s.close();
  return result;
}

describe('greeting', () => {
  it('a connection that sends nothing is held open: no handshake timeout; a probe logs one line', async () => {
    const s = await server();
    const client = await RawClient.open(s.port);
    await s.accepted(1);
    await new Promise((r) => setTimeout(r, 50));
    expect(client.ended).toBeUndefined();
    expect(s.connections()).toHaveLength(1);
    client.shutdown();
    await client.closed();
    expect(client.hex).toBe('05ff');
    expect(await s.logged(1)).toEqual([FAILED + 'could not read packet header']);
    await s.close();
  });

  it('pipelined greeting + request + data: the data reaches the target', async () => {
    const s = await server();
    const client = await RawClient.open(s.port);
    client.send(GREETING_NO_AUTH + connectRequest('127.0.0.1', echo.port) + Buffer.from('pipelined').toString('hex'));
    await client.bytes(2 + 10 + 9);
    expect(client.received.subarray(12).toString()).toBe('pipelined');
    client.destroy();
    await s.close();
  });
});

describe('username/password (RFC 1929)', () => {
  const credentials = { user: 'u', pass: 'p' };
  const rows: [string, string, string[]][] = [
    ['fewer than 2 header bytes', '050102' + '01', [FAILED + 'could not read auth packet header']],
    ['missing PLEN', '050102' + '010175', [FAILED + 'could not read auth packet password length']],
    ['short password', '050102' + '0101750270', [FAILED + 'could not read auth packet password']],
    ['wrong user, well-formed: nothing logged', '050102' + '0101780170', []],
  ];
  for (const [name, hex, logs] of rows) {
    it(name, async () => {
      const result = await conversation(hex, { credentials });
      expect(result.reply).toBe('05020101');
      expect(result.logs).toEqual(logs);
    });
  }
});

describe('empty credentials', () => {
  it('mean no authentication, as tailscaled (needAuth = user or password set)', async () => {
    const result = await conversation('050100', { credentials: { user: '', pass: '' } });
    expect(result.reply.startsWith('0500')).toBe(true);
  });
});

describe('request', () => {
  const rows: [string, string, string][] = [
    ['no ATYP byte', '050100' + '050100', 'could not read address type'],
    ['short IPv6', '050100' + '05010004' + '0000', 'could not read IPv6 address'],
    ['no domain size', '050100' + '05010003', 'could not read domain name size'],
    ['ATYP 5 is a general failure, never 08', '050100' + '05010005', 'unsupported address type'],
  ];
  for (const [name, hex, message] of rows) {
    it(name, async () => {
      const result = await conversation(hex);
      expect(result.reply).toBe('0500' + GENERAL_FAILURE);
      expect(result.logs).toEqual([FAILED + message]);
    });
  }

  it('an unknown command (9) is 05 07, logged in decimal', async () => {
    const result = await conversation('050100' + '05090001' + '7f000001' + '0050');
    expect(result.reply).toBe('0500' + '05070001000000000000');
    expect(result.logs).toEqual([FAILED + 'unsupported command 9']);
  });

  it('a zero-length domain dials the local host on that port', async () => {
    const s = await server();
    const client = await RawClient.open(s.port);
    client.send(GREETING_NO_AUTH + connectDomain('', echo.port) + '6869');
    await client.bytes(2 + 10 + 2);
    expect(client.hex).toMatch(/^0500050000017f000001[0-9a-f]{4}6869$/);
    client.destroy();
    expect((await s.closeOf(1)).dialled).toBe(`127.0.0.1:${echo.port}`);
    await s.close();
  });

  it('a zero-length domain to a closed port fails with Go’s empty-host text', async () => {
    const port = await closedPort();
    const result = await conversation('050100' + connectDomain('', port));
    expect(result.logs).toEqual([FAILED + `dial tcp :${port}: connect: connection refused`]);
  });

  it('localhost by name reaches a loopback target', async () => {
    const s = await server();
    const client = await RawClient.open(s.port);
    client.send(GREETING_NO_AUTH + connectDomain('LocalHost', echo.port) + '6869');
    await client.bytes(14);
    expect(client.received.subarray(12).toString()).toBe('hi');
    client.destroy();
    await s.close();
  });
});

describe('loopback-only host dialling', () => {
  it('a non-loopback IP is never dialled: 05 01 and a Go-style error', async () => {
    const result = await conversation('050100' + connectRequest('10.1.2.3', 80));
    expect(result.reply).toBe('0500' + GENERAL_FAILURE);
    expect(result.logs).toEqual([FAILED + 'dial tcp 10.1.2.3:80: connect: network is unreachable']);
    expect(result.record.dialled).toBeUndefined();
  });

  it('an IPv6 non-loopback literal is refused the same way, bracketed as Go prints it', async () => {
    const result = await conversation('050100' + connectRequest('2001:db8::1', 443));
    expect(result.logs).toEqual([FAILED + 'dial tcp [2001:db8::1]:443: connect: network is unreachable']);
  });

  it('a name outside the tailnet is not even resolved', async () => {
    const result = await conversation('050100' + connectDomain('example.com', 443));
    expect(result.logs).toEqual([FAILED + 'dial tcp: lookup example.com: no such host']);
  });
});

describe('rate limiter (option)', () => {
  it('port probes past the burst are announced once, then dropped', async () => {
    const s = await server({ rateLimit: true, rateLimitIntervalMs: 60_000 });
    for (let i = 1; i <= 7; i++) {
      const probe = await RawClient.open(s.port);
      probe.shutdown();
      await probe.closed();
      await s.closeOf(i);
    }
    expect(s.logs()).toEqual([
      ...Array<string>(5).fill(FAILED + 'could not read packet header'),
      '[RATELIMIT] format("socks5: client connection failed: %v")',
    ]);
    await s.close();
  });
});
