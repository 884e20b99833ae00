// Real SOCKS clients through the server: npm `socks` (what the proxy uses) and Debian's curl,
// reaching an HTTP target by tailnet address and by MagicDNS name.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SocksClient } from 'socks';
import { server, type TestServer } from './fixture.ts';
import { startHttp, type Target } from './targets.ts';
import { curl } from './curl.ts';

const PEER = '100.84.184.84';
let http: Target;
let s: TestServer;

beforeAll(async () => {
  http = await startHttp('hello from devbox');
  s = await server({ dialTimeoutMs: 200, peers: [{ address: PEER, names: ['devbox', 'devbox.tail1234.ts.net'], ports: { 80: `127.0.0.1:${http.port}` } }] });
});
afterAll(async () => {
  await s.close();
  await http.close();
});

async function socksGet(host: string): Promise<string> {
  const { socket } = await SocksClient.createConnection({
    proxy: { host: '127.0.0.1', port: s.port, type: 5 },
    command: 'connect',
    destination: { host, port: 80 },
    timeout: 2000,
  });
  socket.write(`GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
  let body = '';
  for await (const chunk of socket) body += (chunk as Buffer).toString();
  return body;
}

describe('npm socks client', () => {
  it('fetches by tailnet address and by MagicDNS name', async () => {
    expect(await socksGet(PEER)).toContain('hello from devbox');
    expect(await socksGet('devbox.tail1234.ts.net')).toContain('hello from devbox');
  });

  it('sees a refusing peer as “Socks5 proxy rejected connection - Failure”', async () => {
    s.setPeerState(PEER, 'refusing');
    try {
      await expect(socksGet('devbox')).rejects.toThrow('Socks5 proxy rejected connection - Failure');
    } finally {
      s.setPeerState(PEER, 'up');
    }
  });
});

describe('curl', () => {
  it('--socks5 fetches by tailnet address', async () => {
    const result = await curl(['--socks5', `127.0.0.1:${s.port}`, `http://${PEER}/`]);
    expect(result).toMatchObject({ code: 0, stdout: 'hello from devbox' });
  });

  it('--socks5-hostname fetches by MagicDNS name (the proxy resolves it)', async () => {
    const result = await curl(['--socks5-hostname', `127.0.0.1:${s.port}`, 'http://devbox.tail1234.ts.net/']);
    expect(result).toMatchObject({ code: 0, stdout: 'hello from devbox' });
  });

  it('a down peer: curl gives up with its SOCKS5 connect error after the dial budget', async () => {
    s.setPeerState('devbox', 'down');
    try {
      const result = await curl(['--socks5-hostname', `127.0.0.1:${s.port}`, 'http://devbox/']);
      expect(result.code).toBe(97);
      expect(result.stderr).toMatch(/SOCKS5/);
    } finally {
      s.setPeerState('devbox', 'up');
    }
  });
});
