// The proxy dials its configured upstreams and nothing else, whatever the request says: every
// CONNECT the SOCKS server receives is recorded and checked (the tests' own relay in front of an
// echo upstream). Malformed requests get 400 and the server keeps serving.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProxy, type ProxyHandle } from './server.ts';
import { startEchoUpstream, type EchoUpstream } from './test/echo-upstream.ts';
import { startTinySocks, type TinySocks } from './test/tiny-socks.ts';

const peer = '100.84.184.84';
const allowed = new Set([`${peer}:8888`, `${peer}:7681`]);
let upstream: EchoUpstream;
let socks: TinySocks;
let proxy: ProxyHandle;

beforeAll(async () => {
  upstream = await startEchoUpstream();
  socks = await startTinySocks({ routes: { [`${peer}:8888`]: `127.0.0.1:${upstream.port}`, [`${peer}:7681`]: `127.0.0.1:${upstream.port}` } });
  proxy = await startProxy({ socksUrl: socks.url(), upstreamUrl: `http://${peer}:8888`, terminalUrl: `ws://${peer}:7681/terminal`, accessLog: false });
});
afterAll(async () => {
  await proxy.close();
  await socks.close();
  await upstream.close();
});

/** Every destination the SOCKS server was asked for. */
function destinations(): string[] {
  return [...socks.connects];
}

/** Writes raw bytes to the proxy and returns its answer's status line ('' if it just closed). */
function raw(request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(proxy.port, '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('latin1');
      if (answer.includes('\r\n')) socket.destroy();
    });
    socket.on('close', () => resolve(answer.split('\r\n')[0] ?? ''));
    socket.on('error', reject);
    socket.write(request);
  });
}

const upgradeHeaders = 'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n';

describe('only the configured upstreams are dialled', () => {
  it.each([
    ['absolute-form URI', 'GET http://10.0.0.1:22/ HTTP/1.1\r\nHost: 10.0.0.1:22\r\n\r\n', /^HTTP\/1.1 400/],
    ['absolute-form URI under the prefix', 'GET http://127.0.0.1:9/dev/code/ HTTP/1.1\r\nHost: 127.0.0.1:9\r\n\r\n', /^HTTP\/1.1 400/],
    ['CONNECT', 'CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n', /^HTTP\/1.1 405/],
    ['encoded .. in the path', 'GET /dev/code/%2e%2e/%2E%2E/etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n', /^HTTP\/1.1 400/],
    ['plain .. in the path', 'GET /dev/code/../../healthz HTTP/1.1\r\nHost: x\r\n\r\n', /^HTTP\/1.1 400/],
    ['bare CR inside a header', 'GET /dev/code/ HTTP/1.1\r\nHost: x\r\nX-Evil: a\rHost: 10.0.0.1\r\n\r\n', /^HTTP\/1.1 400/],
    ['LF-only header injection', 'GET /dev/code/ HTTP/1.1\r\nHost: x\r\nX-Evil: a\nHost: 10.0.0.1:22\r\n\r\n', /^HTTP\/1.1 400/],
    ['Content-Length with Transfer-Encoding', 'POST /dev/code/ HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', /^HTTP\/1.1 400/],
    ['garbage', 'HELLO THERE\r\n\r\n', /^HTTP\/1.1 400/],
    ['an upgrade with an absolute-form URI', `GET ws://10.0.0.1:22/ HTTP/1.1\r\nHost: 10.0.0.1:22\r\n${upgradeHeaders}\r\n`, /^HTTP\/1.1 400/],
    ['an upgrade outside the routes', `GET /elsewhere HTTP/1.1\r\nHost: x\r\n${upgradeHeaders}\r\n`, /^HTTP\/1.1 404/],
  ])('%s is refused and dials nothing', async (_name, request, status) => {
    const before = destinations().length;
    expect(await raw(request)).toMatch(status);
    expect(destinations().slice(before)).toEqual([]);
  });

  it.each([
    ['a foreign Host', { host: '10.0.0.1:22' }],
    ['a foreign X-Forwarded-Host', { 'x-forwarded-host': '127.0.0.1:22' }],
    ['a Forwarded header', { forwarded: 'host=127.0.0.1:22;proto=http' }],
  ])('%s still reaches only the upstream', async (_name, headers) => {
    const res = await fetch(proxy.url + '/dev/code/healthz', { headers, redirect: 'manual' });
    expect(res.status).toBe(200); // the upstream answered: the request went somewhere, and only there
    expect(new Set(destinations())).toEqual(new Set([`${peer}:8888`]));
  });

  it('an upgrade with a foreign Host still reaches only the upstream', async () => {
    const before = destinations().length;
    // The browser stays until the session's tunnel is asked for: one that leaves at once stops the dial.
    const socket = connect(proxy.port, '127.0.0.1');
    socket.on('error', () => {});
    const answer = new Promise<string>((resolve) => socket.once('data', (chunk: Buffer) => resolve(chunk.toString('latin1'))));
    socket.write(`GET /dev/code/stable-x HTTP/1.1\r\nHost: 127.0.0.1:22\r\n${upgradeHeaders}\r\n`);
    expect(await answer).toMatch(/^HTTP\/1.1 101/);
    await expect.poll(() => destinations().length).toBeGreaterThan(before);
    socket.destroy();
    expect(destinations().every((d) => allowed.has(d))).toBe(true);
  });

  it('answers a WebSocket version it does not speak with 426 and Sec-WebSocket-Version: 13 (RFC 6455 §4.4), dialling nothing', async () => {
    // Broke: a wrong Sec-WebSocket-Version got 400 without the Sec-WebSocket-Version header §4.4 requires.
    const before = destinations().length;
    const head = await new Promise<string>((resolve, reject) => {
      const socket = connect(proxy.port, '127.0.0.1');
      let answer = '';
      socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
      socket.on('close', () => resolve(answer));
      socket.on('error', reject);
      socket.write(`GET /dev/code/stable-x HTTP/1.1\r\nHost: x\r\n${upgradeHeaders.replace('Version: 13', 'Version: 8')}\r\n`);
    });
    expect(head.split('\r\n')[0]).toBe('HTTP/1.1 426 Upgrade Required');
    expect(head).toMatch(/\r\nSec-WebSocket-Version: 13\r\n/i);
    expect(destinations().slice(before)).toEqual([]);
  });

  it('keeps serving after every malformed request above', async () => {
    expect((await fetch(proxy.url + '/healthz')).status).toBe(200);
    expect(destinations().every((d) => allowed.has(d))).toBe(true);
  });
});
