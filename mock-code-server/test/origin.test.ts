import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkOrigin } from '../node/origin.ts';
import { sessionValue } from '../node/password.ts';
import { startServer, type ServerHandle } from '../node/server.ts';
import { rawUpgrade, upgradeHeaders } from './raw-http.ts';

describe('code-server Origin rule', () => {
  const table: { name: string; headers: Record<string, string>; trusted?: string[]; allowed: boolean }[] = [
    { name: 'no Origin header', headers: { host: 'a.example:8080' }, allowed: true },
    { name: 'Origin equals Host', headers: { origin: 'http://a.example:8080', host: 'a.example:8080' }, allowed: true },
    { name: 'case-insensitive', headers: { origin: 'HTTP://A.Example:8080', host: 'a.EXAMPLE:8080' }, allowed: true },
    { name: 'Origin differs from Host', headers: { origin: 'http://proxy.run.app', host: '100.84.184.84:8888' }, allowed: false },
    { name: 'port differs', headers: { origin: 'http://a.example:8081', host: 'a.example:8080' }, allowed: false },
    {
      name: 'X-Forwarded-Host wins over Host',
      headers: { origin: 'https://proxy.run.app', host: '100.84.184.84:8888', 'x-forwarded-host': 'proxy.run.app' },
      allowed: true,
    },
    {
      name: 'first X-Forwarded-Host of a list',
      headers: { origin: 'https://proxy.run.app', host: 'x', 'x-forwarded-host': 'proxy.run.app, other.example' },
      allowed: true,
    },
    {
      name: 'Forwarded host= wins over X-Forwarded-Host',
      headers: { origin: 'https://proxy.run.app', host: 'x', 'x-forwarded-host': 'wrong.example', forwarded: 'for=1.2.3.4;host=proxy.run.app;proto=https' },
      allowed: true,
    },
    {
      name: 'Forwarded host= that mismatches is not rescued by Host',
      headers: { origin: 'https://a.example', host: 'a.example', forwarded: 'host=b.example' },
      allowed: false,
    },
    { name: 'Forwarded without host= falls back', headers: { origin: 'http://a.example', host: 'a.example', forwarded: 'for=1.2.3.4' }, allowed: true },
    { name: 'trusted origin', headers: { origin: 'https://proxy.run.app', host: 'x' }, trusted: ['proxy.run.app'], allowed: true },
    { name: 'trusted *', headers: { origin: 'https://anything.example', host: 'x' }, trusted: ['*'], allowed: true },
    { name: 'trusted list without it', headers: { origin: 'https://proxy.run.app', host: 'x' }, trusted: ['other.example'], allowed: false },
    { name: 'malformed Origin', headers: { origin: 'not a url', host: 'x' }, allowed: false },
    { name: 'Origin "null"', headers: { origin: 'null', host: 'x' }, allowed: false },
  ];
  for (const row of table) {
    it(`${row.allowed ? 'allows' : 'refuses'}: ${row.name}`, () => {
      expect(checkOrigin(row.headers, row.trusted).allowed).toBe(row.allowed);
    });
  }
});

// routes/errors.ts wsErrorHandler writes `HTTP/1.1 <status> <message>\r\n\r\n`; VS Code's own
// handleUpgrade writes `HTTP/1.1 400 Bad Request` with no line end. The order is code-server's
// wsRouter: ensureOrigin, ensureAuthenticated, then VS Code's websocket check.
describe('raw HTTP refusals on the upgrade socket', () => {
  let server: ServerHandle;
  beforeAll(async () => {
    server = await startServer({ password: 'pw', trustedOrigins: ['trusted.example'] });
  });
  afterAll(async () => server.close());
  const host = () => `127.0.0.1:${server.port}`;

  it('403 Forbidden for an Origin that is not the host, before any 101', async () => {
    const reply = await rawUpgrade(server.port, '/stable-x?reconnectionToken=t', upgradeHeaders(host(), { Origin: 'http://evil.example' }));
    expect(reply).toBe('HTTP/1.1 403 Forbidden\r\n\r\n');
  });

  it('401 Unauthorized without the code-server-session cookie', async () => {
    const reply = await rawUpgrade(server.port, '/stable-x', upgradeHeaders(host(), { Origin: 'http://trusted.example' }));
    expect(reply).toBe('HTTP/1.1 401 Unauthorized\r\n\r\n');
  });

  it('400 Bad Request when the Upgrade header is not websocket (once origin and cookie passed)', async () => {
    const cookie = `code-server-session=${sessionValue('pw')}`;
    const reply = await rawUpgrade(server.port, '/stable-x', { ...upgradeHeaders(host(), { Cookie: cookie }), Upgrade: 'h2c' });
    expect(reply).toBe('HTTP/1.1 400 Bad Request');
    expect(await rawUpgrade(server.port, '/stable-x', { ...upgradeHeaders(host()), Upgrade: 'h2c' })).toBe('HTTP/1.1 401 Unauthorized\r\n\r\n');
  });

  it('every refused socket is closed by the server', async () => {
    await rawUpgrade(server.port, '/', upgradeHeaders(host(), { Origin: 'http://evil.example' }));
    await expect.poll(() => server.openSockets(), { timeout: 10_000 }).toBe(0);
  });
});
