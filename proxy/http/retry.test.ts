// The HTTP retry window: a request safe to repeat (GET, HEAD, OPTIONS without a body) whose tunnel
// could not be opened is sent again while the window lasts; anything else fails at once. Against
// mock-socks with a peer switched between refusing and up; attempts counted at the SOCKS server.
import { request } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startMockSocks, type MockSocksHandle } from '../../mock-socks/index.ts';
import { startMockCodeServer, type MockCodeServerHandle } from '../../mock-code-server/index.ts';
import type { AccessRecord } from '../log.ts';
import { startProxy, type ProxyHandle, type StartProxyOptions } from '../server.ts';

const peer = '100.84.184.84';
const intervalMs = 40;
let codeServer: MockCodeServerHandle;
let socks: MockSocksHandle;
let proxy: ProxyHandle | undefined;
let records: AccessRecord[] = [];
let connects = 0;

beforeAll(async () => {
  codeServer = await startMockCodeServer({ timeScale: 0.01 });
  socks = await startMockSocks({ peers: [{ address: peer, ports: { 8888: `127.0.0.1:${codeServer.port}` } }], dialTimeoutMs: 50 });
  socks.on('connection', (record) => {
    if (record.event === 'close' && record.replyCode !== undefined) connects++;
  });
});
afterAll(async () => {
  await socks.close();
  await codeServer.close();
});
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
  await expect.poll(() => socks.connections().length).toBe(0); // a tunnel closing late would count in the next test
  records = [];
  connects = 0;
  socks.setPeerState(peer, 'up');
});

async function start(options: StartProxyOptions = {}): Promise<string> {
  proxy = await startProxy({
    socksUrl: `socks5h://localhost:${socks.port}`,
    upstreamUrl: `http://${peer}:8888`,
    httpRetryWindowMs: 400,
    retryIntervalMs: intervalMs,
    keepAliveTimeoutMs: 1,
    log: (record) => records.push({ ...record }),
    ...options,
  });
  return proxy.url + '/dev/code';
}

describe('the HTTP retry window', () => {
  it('answers a GET once the peer comes back inside the window', async () => {
    socks.setPeerState(peer, 'refusing');
    const answer = fetch((await start()) + '/robots.txt');
    await expect.poll(() => connects).toBeGreaterThanOrEqual(2);
    socks.setPeerState(peer, 'up');
    const res = await answer;
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/^User-agent: \*/);
    await expect.poll(() => records.length).toBe(1);
    expect(records[0]?.attempts).toBeGreaterThanOrEqual(3);
  });

  it('answers 502 once the window is spent, the last cause with the attempts', async () => {
    socks.setPeerState(peer, 'refusing');
    const res = await fetch((await start()) + '/robots.txt');
    expect(res.status).toBe(502);
    const body = await res.text();
    const attempts = Number(/cause: socks\.reply_general_failure \(REP 0x01\) \((\d+) attempts in \d+ ms\)\n$/.exec(body)?.[1]);
    expect(attempts).toBeGreaterThanOrEqual(4);
    expect(attempts).toBe(connects);
  });

  it('sends a request with a body once: it is streamed, never kept to be sent again', async () => {
    socks.setPeerState(peer, 'refusing');
    const res = await fetch((await start()) + '/mint-key', { method: 'POST', body: 'x' });
    expect(res.status).toBe(502);
    expect(await res.text()).toMatch(/cause: socks\.reply_general_failure \(REP 0x01\)\n$/);
    expect(connects).toBe(1);
  });

  it('stops trying when the browser leaves', async () => {
    socks.setPeerState(peer, 'refusing');
    const base = await start({ httpRetryWindowMs: 60_000 });
    const req = request(base + '/robots.txt');
    req.on('error', () => {});
    req.end();
    await expect.poll(() => connects).toBeGreaterThanOrEqual(2);
    req.destroy();
    await expect.poll(() => records.length).toBe(1);
    const seen = connects;
    await new Promise((resolve) => setTimeout(resolve, 4 * intervalMs));
    expect(connects).toBeLessThanOrEqual(seen + 1); // at most the CONNECT already on its way
  });
});
