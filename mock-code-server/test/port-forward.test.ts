// code-server's port forwarding (routes/pathProxy.ts, src/node/proxy.ts): /proxy/<port>/ strips
// its base and rewrites absolute redirects, /absproxy/<port>/ passes the path through; HTTP and
// WebSocket; to a port on the upstream machine's loopback.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { startServer, type ServerHandle } from '../node/server.ts';
import { sessionValue } from '../node/password.ts';
import { rawUpgrade, upgradeHeaders } from './raw-http.ts';

let server: ServerHandle;
let locked: ServerHandle;
let app: Server;
let appPort: number;
let closedPort: number;
const seen: { url: string; host: string | undefined; body: string }[] = [];

beforeAll(async () => {
  // The app a user runs on the upstream machine: echoes what reached it, redirects /go, and a WebSocket echo.
  app = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.push({ url: req.url ?? '', host: req.headers.host, body });
      if (req.url === '/go' || req.url?.endsWith('/go')) {
        res.writeHead(302, { Location: '/there' });
        return res.end();
      }
      res.writeHead(201, { 'Content-Type': 'application/x-app' });
      res.end(`app saw ${req.method} ${req.url}`);
    });
  });
  const wss = new WebSocketServer({ server: app });
  wss.on('connection', (ws, req) => ws.on('message', (data: Buffer) => ws.send(`${req.url} ${data.toString()}`)));
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  appPort = (app.address() as { port: number }).port;
  const gone = createServer();
  await new Promise<void>((resolve) => gone.listen(0, '127.0.0.1', resolve));
  closedPort = (gone.address() as { port: number }).port;
  await new Promise((resolve) => gone.close(resolve));
  server = await startServer();
  locked = await startServer({ password: 'pw' });
});
afterAll(async () => {
  await server.close();
  await locked.close();
  await new Promise((resolve) => app.close(resolve));
});

const get = (base: ServerHandle, path: string, init?: RequestInit) => fetch(`${base.url}${path}`, { redirect: 'manual', ...init });

describe('HTTP', () => {
  it('/proxy/<port>/… reaches 127.0.0.1:<port> with the base stripped, the query kept and the Host unchanged; the answer comes back as it was', async () => {
    const res = await get(server, `/proxy/${appPort}/echo/deep?x=1`);
    expect([res.status, res.headers.get('content-type'), await res.text()]).toEqual([201, 'application/x-app', 'app saw GET /echo/deep?x=1']);
    expect(seen.at(-1)).toMatchObject({ url: '/echo/deep?x=1', host: `127.0.0.1:${server.port}` });
    expect(await (await get(server, `/proxy/${appPort}`)).text()).toBe('app saw GET /');
  });

  it('/absproxy/<port>/… passes the whole path through', async () => {
    expect(await (await get(server, `/absproxy/${appPort}/echo?y=2`)).text()).toBe(`app saw GET /absproxy/${appPort}/echo?y=2`);
  });

  it('forwards the method and the body', async () => {
    const res = await get(server, `/proxy/${appPort}/form`, { method: 'POST', body: 'a=1&b=2' });
    expect(await res.text()).toBe('app saw POST /form');
    expect(seen.at(-1)?.body).toBe('a=1&b=2');
  });

  it('rewrites an absolute redirect against /proxy/<port> (proxy.ts proxyRes), not under /absproxy', async () => {
    expect((await get(server, `/proxy/${appPort}/go`)).headers.get('location')).toBe(`/proxy/${appPort}/there`);
    expect((await get(server, `/absproxy/${appPort}/go`)).headers.get('location')).toBe('/there');
  });

  it('answers 500 with the connect error as the body (no content type) when nothing listens on the port', async () => {
    const res = await get(server, `/proxy/${closedPort}/`);
    expect([res.status, res.headers.get('content-type'), await res.text()]).toEqual([500, null, `connect ECONNREFUSED 127.0.0.1:${closedPort}`]);
  });

  it('answers 400 "Invalid port" for a port that is not a number', async () => {
    const res = await get(server, '/proxy/abc/');
    expect([res.status, res.headers.get('content-type'), await res.json()]).toEqual([400, 'application/json; charset=utf-8', { error: 'Invalid port' }]);
  });

  it('with a password: the root goes to the login page, anything deeper is 401; the cookie opens it', async () => {
    const root = await get(locked, `/proxy/${appPort}/`);
    expect([root.status, root.headers.get('location')]).toEqual([302, './../../login']);
    const deep = await get(locked, `/proxy/${appPort}/x`);
    expect([deep.status, await deep.json()]).toEqual([401, { error: 'Unauthorized' }]);
    const cookie = `code-server-session=${sessionValue('pw')}`;
    expect(await (await get(locked, `/proxy/${appPort}/x`, { headers: { cookie } })).text()).toBe('app saw GET /x');
  });
});

describe('WebSocket', () => {
  async function echo(url: string): Promise<string> {
    const ws = new WebSocket(url);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const answer = new Promise<string>((resolve) => ws.once('message', (data: Buffer) => resolve(data.toString())));
    ws.send('ping');
    const text = await answer;
    ws.close();
    return text;
  }

  it('/proxy/<port>/… and /absproxy/<port>/… upgrade through to the local port', async () => {
    const ws = server.url.replace('http', 'ws');
    expect(await echo(`${ws}/proxy/${appPort}/socket?t=1`)).toBe('/socket?t=1 ping');
    expect(await echo(`${ws}/absproxy/${appPort}/socket`)).toBe(`/absproxy/${appPort}/socket ping`);
  });

  it('answers `HTTP/1.1 500 <error>` when nothing listens, and code-server\'s 403 for a foreign Origin', async () => {
    const host = `127.0.0.1:${server.port}`;
    expect(await rawUpgrade(server.port, `/proxy/${closedPort}/`, upgradeHeaders(host))).toBe(`HTTP/1.1 500 connect ECONNREFUSED 127.0.0.1:${closedPort}\r\n\r\n`);
    expect(await rawUpgrade(server.port, `/proxy/${appPort}/`, upgradeHeaders(host, { Origin: 'http://evil.example' }))).toBe('HTTP/1.1 403 Forbidden\r\n\r\n');
  });

  it('leaves no socket behind', async () => {
    await expect.poll(() => server.openSockets(), { timeout: 10_000 }).toBe(0);
  });
});
