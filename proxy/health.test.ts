// What the proxy says about the path when it cannot relay: /readyz walks it for real (greeting,
// CONNECT, HTTP through the tunnel), /healthz only says the process is up, and an HTTP request
// whose tunnel fails gets 502 or 504 naming the hop and the cause. Against the tests' own peers: a
// SOCKS relay that records every CONNECT, or one that answers what a test scripts.
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startProxy, type ProxyHandle, type StartProxyOptions } from './server.ts';
import { startEchoUpstream } from './test/echo-upstream.ts';
import { startTinySocks, type TinySocks } from './test/tiny-socks.ts';

const peer = '100.84.184.84';
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** The echo upstream as the tailnet peer's 8888. */
async function relayToPeer(): Promise<TinySocks> {
  const upstream = await startEchoUpstream();
  const socks = await startTinySocks({ routes: { [`${peer}:8888`]: `127.0.0.1:${upstream.port}` } });
  closers.push(() => upstream.close(), () => socks.close());
  return socks;
}

/** A SOCKS port that answers as `script` says. */
async function scripted(script: (socket: Socket) => void): Promise<TinySocks> {
  const socks = await startTinySocks({ script });
  closers.push(() => socks.close());
  return socks;
}

async function proxy(socks: TinySocks, options: StartProxyOptions = {}): Promise<ProxyHandle> {
  // Retry windows scaled down: a failure is tried again a few times before the answer.
  const handle = await startProxy({ socksUrl: socks.url(), upstreamUrl: `http://${peer}:8888`, accessLog: false, wsRetryWindowMs: 300, httpRetryWindowMs: 200, retryIntervalMs: 40, ...options });
  closers.unshift(() => handle.close());
  return handle;
}

const tally = String.raw` \(\d+ attempts in \d+ ms\)`;

describe('/readyz and /healthz', () => {
  it('/readyz does a real greeting + CONNECT + HTTP probe through the tunnel, each step reported', async () => {
    const socks = await relayToPeer();
    const res = await fetch((await proxy(socks)).url + '/readyz');
    const report = (await res.json()) as { ok: boolean; steps: { step: string; ok: boolean; ms: number }[] };
    expect(res.status).toBe(200);
    expect(report.ok).toBe(true);
    expect(report.steps.map((s) => `${s.step} ${s.ok}`)).toEqual(['tcp_connect true', 'greeting true', 'connect_reply true', 'http_probe true']);
    expect(socks.connects).toEqual([`${peer}:8888`]);
  });

  it('/readyz is red with the bytes it got when the port is not SOCKS', async () => {
    const socks = await scripted((socket) => socket.once('data', () => socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n')));
    const res = await fetch((await proxy(socks)).url + '/readyz');
    expect(res.status).toBe(503);
    expect(((await res.json()) as { cause: string }).cause).toMatch(/^socks\.not_socks got "HTTP\/1\.1 400 Bad" \(48 54 54 50/);
  });

  it('/healthz only says the process is alive, whatever the path behind it', async () => {
    const socks = await scripted((socket) => socket.destroy());
    expect(await (await fetch((await proxy(socks)).url + '/healthz')).json()).toEqual({ status: 'alive' });
  });
});

describe('an HTTP request whose tunnel fails', () => {
  it('gets 502 naming the hop and the cause once the retry window is spent', async () => {
    const socks = await relayToPeer();
    // A route the relay does not know: it answers 05 05 (connection refused), a cause that can pass.
    const res = await fetch((await proxy(socks, { upstreamUrl: 'http://100.84.184.85:8888' })).url + '/dev/code/');
    expect(res.status).toBe(502);
    expect(await res.text()).toMatch(new RegExp(`^502 Bad Gateway\nhop: socks\ncause: socks\\.reply_connection_refused \\(REP 0x05\\)${tally}\n$`));
  });

  it('gets 504 when a SOCKS step times out', async () => {
    const socks = await scripted(() => undefined); // accepts TCP, never answers the greeting
    const res = await fetch((await proxy(socks, { socksGreetingTimeoutMs: 50 })).url + '/dev/code/');
    expect(res.status).toBe(504);
    expect(await res.text()).toMatch(new RegExp(`cause: socks\\.timeout\\.greeting after \\d+ ms .*${tally}\n$`));
  });
});
