// The scenarios of specs/scenarios.md that hinge on the proxy's configuration rather than on a
// fault: SOCKS binds, Host/Origin, the query string, vsda, health, the terminal — each in the
// fixed profile and with the legacy knob that broke it.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startMockSocks, type MockSocksHandle } from '../mock-socks/index.ts';
import { startMockCodeServer, TERMINAL_PATH, type MockCodeServerHandle } from '../mock-code-server/index.ts';
import { startLegacyProxy, type LegacyProxyOptions } from './legacy/index.ts';
import type { ProxyHandle } from './server.ts';
import { openClient } from './test/ws-client.ts';
import { commit, workbenchSocket } from './test/workbench.ts';

const peer = '100.84.184.84';
let codeServer: MockCodeServerHandle;
const started: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  codeServer = await startMockCodeServer({ timeScale: 0.01 });
});
afterAll(async () => {
  await codeServer.close();
});
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.close()));
  codeServer.clearFaults();
});

async function mockSocks(options: Parameters<typeof startMockSocks>[0] = {}): Promise<MockSocksHandle> {
  const socks = await startMockSocks({ peers: [{ address: peer, names: ['devbox', 'devbox.tail1234.ts.net'], ports: { 8888: `127.0.0.1:${codeServer.port}`, 7681: `127.0.0.1:${codeServer.port}` } }], dialTimeoutMs: 50, ...options });
  started.push(socks);
  return socks;
}

/** The product, or the legacy entry with `legacy` knobs on (it is the product when none is). */
async function proxy(socks: MockSocksHandle, options: LegacyProxyOptions = {}): Promise<ProxyHandle> {
  const handle = await startLegacyProxy({ socksUrl: `socks5h://localhost:${socks.port}`, upstreamUrl: `http://${peer}:8888`, accessLog: false, socksGreetingTimeoutMs: 200, socksConnectReplyTimeoutMs: 300, ...retryWindows, ...options });
  started.unshift(handle);
  return handle;
}

/** The retry windows (7 s, 3 s, pauses up to 500 ms), scaled down: a failure is tried again a few times before its close. */
const retryWindows = { wsRetryWindowMs: 300, httpRetryWindowMs: 200, retryIntervalMs: 40 };
const tally = String.raw` \(\d+ attempts in \d+ ms\)`;

const wsBase = (p: ProxyHandle) => p.url.replace(/^http/, 'ws') + '/dev/code';

describe('SOCKS binds', () => {
  it.each(['ipv6-only', 'ipv4-only', 'dual'] as const)('socks5h://localhost reaches a %s bind (scenarios ipv6-only-bind, ipv4-only-bind)', async (bind) => {
    const socks = await mockSocks({ listen: 'localhost:0', bind });
    const wb = workbenchSocket(wsBase(await proxy(socks)));
    expect(await wb.outcome).toBe('ok');
    wb.client.ws.close();
  });

  it('a literal 127.0.0.1 against an IPv6-only bind ends in a close frame naming the address once the retry window is spent; legacy gives 1006', async () => {
    const socks = await mockSocks({ listen: 'localhost:0', bind: 'ipv6-only' });
    const literal = `socks5://127.0.0.1:${socks.port}`;
    const fixed = workbenchSocket(wsBase(await proxy(socks, { socksUrl: literal })));
    const closed = await fixed.client.closed;
    expect(closed.code).toBe(1014);
    expect(closed.reason).toMatch(new RegExp(`^socks\\.connect_refused 127\\.0\\.0\\.1:${socks.port}${tally}$`));
    const legacy = workbenchSocket(wsBase(await proxy(socks, { socksUrl: literal, profile: 'legacy' })));
    expect((await legacy.client.closed).code).toBe(1006);
  });

  it('reaches MagicDNS names with socks5h', async () => {
    const socks = await mockSocks();
    const wb = workbenchSocket(wsBase(await proxy(socks, { upstreamUrl: 'http://devbox.tail1234.ts.net:8888' })));
    expect(await wb.outcome).toBe('ok');
    wb.client.ws.close();
  });
});

describe('headers and query (scenarios origin-mismatch, query-dropped)', () => {
  it('keeps Host and Origin consistent so code-server accepts the upgrade; legacy hostRewrite gets its 403', async () => {
    const socks = await mockSocks();
    const fixed = await proxy(socks);
    const origin = fixed.url; // the page is served by the proxy, so the browser's Origin is the proxy's
    const ok = workbenchSocket(wsBase(fixed), { ws: { origin } });
    expect(await ok.outcome).toBe('ok');
    ok.client.ws.close();
    const legacy = await proxy(socks, { legacy: { hostRewrite: true } });
    const refused = workbenchSocket(wsBase(legacy), { ws: { origin: legacy.url } });
    expect(await refused.client.closed).toEqual({ code: 1014, reason: 'upstream.upgrade_refused (HTTP 403)' });
  });

  it('forwards the reconnectionToken so a reconnection lands on the same session', async () => {
    // Legacy dropQuery sends neither token nor `reconnection=true`, so code-server opens a new
    // session instead; that the knob removes the query is pinned in routes.test.ts.
    const socks = await mockSocks();
    const base = wsBase(await proxy(socks));
    const token = crypto.randomUUID();
    const first = workbenchSocket(base, { token });
    expect(await first.outcome).toBe('ok');
    first.client.ws.terminate(); // the browser lost the socket; the session waits for a reconnection
    const again = workbenchSocket(base, { token, reconnection: true });
    expect(await again.outcome).toBe('ok');
    again.client.ws.close();
    const stranger = workbenchSocket(base, { reconnection: true }); // proves the server does check tokens
    expect(await stranger.outcome).toMatch(/^error: Unknown reconnection token/);
  });
});

describe('HTTP routes', () => {
  it('serves the vsda files as empty 200s; legacy forwards them to code-server’s 404 (scenario vsda-404)', async () => {
    const socks = await mockSocks();
    const path = `/dev/code/stable-${commit}/static/node_modules/vsda/rust/web/vsda_bg.wasm`;
    expect((await fetch((await proxy(socks)).url + path)).status).toBe(200);
    expect((await fetch((await proxy(socks, { legacy: { noVsdaStubs: true } })).url + path)).status).toBe(404);
  });

  it('proxies code-server pages and rewrites its redirect under the prefix', async () => {
    const socks = await mockSocks();
    const p = await proxy(socks);
    const root = await fetch(p.url + '/dev/code/', { redirect: 'manual' });
    expect(root.status).toBe(302);
    const location = root.headers.get('location') ?? '';
    expect(location.startsWith('/dev/code/') || location.startsWith('./')).toBe(true);
    expect((await fetch(new URL(location, p.url + '/dev/code/'))).status).toBe(200);
  });

  it('answers 502 naming the hop and cause when SOCKS fails', async () => {
    const socks = await mockSocks({ faults: [{ type: 'reply-code', attributes: { code: 1 } }] });
    const res = await fetch((await proxy(socks)).url + '/dev/code/');
    expect(res.status).toBe(502);
    expect(await res.text()).toMatch(new RegExp(`^502 Bad Gateway\nhop: socks\ncause: socks\\.reply_general_failure \\(REP 0x01\\)${tally}\n$`));
  });

  it('answers 504 when a SOCKS step times out', async () => {
    const socks = await mockSocks({ faults: [{ type: 'blackhole', where: 'greeting' }] });
    const res = await fetch((await proxy(socks, { socksGreetingTimeoutMs: 50 })).url + '/dev/code/');
    expect(res.status).toBe(504);
    expect(await res.text()).toMatch(new RegExp(`cause: socks\\.timeout\\.greeting after \\d+ ms .*${tally}\n$`));
  });
});

describe('health (scenarios port-probe-health, not-socks)', () => {
  it('/readyz does a real greeting + CONNECT + HTTP probe and leaves no line in the SOCKS log', async () => {
    const socks = await mockSocks();
    const res = await fetch((await proxy(socks)).url + '/readyz');
    const report = (await res.json()) as { ok: boolean; steps: { step: string; ok: boolean; ms: number }[] };
    expect(res.status).toBe(200);
    expect(report.ok).toBe(true);
    expect(report.steps.map((s) => s.step)).toEqual(['tcp_connect', 'greeting', 'connect_reply', 'http_probe']);
    expect(socks.logs()).toEqual([]);
  });

  it('/readyz is red with the bytes it got when the port is not SOCKS', async () => {
    const socks = await mockSocks({ faults: [{ type: 'not-socks' }] });
    const res = await fetch((await proxy(socks)).url + '/readyz');
    expect(res.status).toBe(503);
    expect(((await res.json()) as { cause: string }).cause).toMatch(/^socks\.not_socks got "HTTP\/1\.1 400 Bad" \(48 54 54 50/);
  });

  it('/healthz only says the process is alive', async () => {
    const socks = await mockSocks({ faults: [{ type: 'not-socks' }] });
    expect(await (await fetch((await proxy(socks)).url + '/healthz')).json()).toEqual({ status: 'alive' });
  });
});

describe('terminal (scenario terminal)', () => {
  it('echoes typed input through the same path', async () => {
    const socks = await mockSocks();
    const p = await proxy(socks, { terminalUrl: `ws://${peer}:7681${TERMINAL_PATH}` });
    const client = openClient(p.url.replace(/^http/, 'ws') + '/dev/ws/terminal');
    await client.opened;
    client.ws.send(JSON.stringify({ type: 'input', data: 'echo hi\r' }));
    let seen = '';
    while (!seen.includes('hi\r\n')) seen += String((JSON.parse((await client.next()).toString()) as { data?: string }).data ?? '');
    client.ws.send(JSON.stringify({ type: 'input', data: 'exit 0\r' }));
    expect(await client.closed).toEqual({ code: 1000, reason: 'exit' });
  });
});
