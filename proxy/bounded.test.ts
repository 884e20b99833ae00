// Bounded by design, whatever the browser sends: a control frame announcing 64 MiB costs the proxy
// its header, not its payload; a client that dribbles its request headers is cut at the headers
// deadline.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProxy } from './server.ts';
import { startProxyHost, type ProxyHost } from './soak/host.ts';
import { openRawSession } from './soak/raw-client.ts';
import { httpGet } from './soak/sessions.ts';
import { startEchoUpstream, type EchoUpstream } from './test/echo-upstream.ts';
import { tailnetUpstream } from './test/stack.ts';
import { startTinySocks, type TinySocks } from './test/tiny-socks.ts';

const MiB = 1024 * 1024;
let upstream: EchoUpstream;
let socks: TinySocks;

beforeAll(async () => {
  upstream = await startEchoUpstream();
  socks = await startTinySocks({ routes: { '100.84.184.84:8888': `127.0.0.1:${upstream.port}` } });
});
afterAll(async () => {
  await socks?.close();
  await upstream?.close();
});

describe('a close frame announcing 64 MiB', () => {
  let host: ProxyHost;
  afterAll(async () => host?.close());

  it('8 connections each get 1002 at the header, and the proxy’s peak RSS grows less than 32 MiB while they send it all', { timeout: 60_000 }, async () => {
    // Broke: FrameTracker kept every byte of a close frame up to MAX_PAYLOAD_BYTES and closeOf copied it — 8 such connections took the proxy from 75 to 846 MiB.
    host = await startProxyHost({ socksUrl: socks.url(), upstreamUrl: tailnetUpstream, accessLog: false, shutdownGraceMs: 2000 });
    const before = await host.measure();
    const chunk = Buffer.alloc(MiB, 0x61);
    const attacks = Array.from({ length: 8 }, async () => {
      const browser = await openRawSession('127.0.0.1', host.port, '/dev/code/stable-x');
      browser.send(0x1, 'hello');
      await browser.next(); // the echo: the whole path is up
      browser.raw(Buffer.from([0x88, 0xff, 0, 0, 0, 0, 4, 0, 0, 0, 1, 2, 3, 4])); // close, masked, 64 MiB
      for (let i = 0; i < 64 && !browser.socket.destroyed; i++) {
        if (!browser.socket.write(chunk)) await new Promise((resolve) => browser.socket.once('drain', resolve).once('close', resolve));
      }
      return browser.closed;
    });
    const healthz = performance.now();
    expect(await httpGet(host.port, '/healthz')).toBe(200);
    const healthzMs = performance.now() - healthz;
    const codes = await Promise.all(attacks);
    const after = await host.measure();
    console.log(`64 MiB close frames: codes ${codes.join(',')}; proxy peak RSS ${(before.rssPeak / MiB).toFixed(1)} → ${(after.rssPeak / MiB).toFixed(1)} MiB (+${((after.rssPeak - before.rssPeak) / MiB).toFixed(1)}); /healthz during the attack ${healthzMs.toFixed(0)} ms`);
    expect(codes).toEqual(Array(8).fill(1002));
    expect(after.rssPeak - before.rssPeak).toBeLessThan(32 * MiB);
  });
});

describe('slow request headers (slow-loris)', () => {
  it('20 connections sending a header byte every 50 ms are all closed by the proxy within HEADERS_TIMEOUT_MS and a quarter of their first byte', { timeout: 30_000 }, async () => {
    // Broke: requestTimeout: 0 also made Node's headersTimeout 0 — 200 such connections were all still open after 100 s.
    const headersTimeoutMs = 400;
    const proxy = await startProxy({ socksUrl: socks.url(), upstreamUrl: tailnetUpstream, accessLog: false, headersTimeoutMs });
    const request = Buffer.from('GET /dev/code/ HTTP/1.1\r\nHost: x\r\nX-Slow: ' + 'a'.repeat(200) + '\r\n\r\n');
    const giveUpMs = 5000;
    const lifetimes = await Promise.all(
      Array.from({ length: 20 }, () => new Promise<number>((resolve) => {
        const started = performance.now();
        const socket = connect(proxy.port, '127.0.0.1');
        socket.on('error', () => {});
        let sent = 1;
        socket.write(request.subarray(0, 1)); // the deadline runs from the first byte
        const drip = setInterval(() => socket.write(request.subarray(sent, ++sent)), 50);
        const giveUp = setTimeout(() => socket.destroy(), giveUpMs);
        socket.once('close', () => {
          clearInterval(drip);
          clearTimeout(giveUp);
          resolve(performance.now() - started);
        });
      })),
    );
    await proxy.close();
    console.log(`slow headers: closed after ${Math.min(...lifetimes).toFixed(0)}–${Math.max(...lifetimes).toFixed(0)} ms (HEADERS_TIMEOUT_MS ${headersTimeoutMs})`);
    // Node checks every quarter of the deadline; the rest is this loaded machine's scheduling.
    for (const ms of lifetimes) expect(ms).toBeLessThan(headersTimeoutMs * 1.25 + 500);
    for (const ms of lifetimes) expect(ms).toBeGreaterThanOrEqual(headersTimeoutMs - 50);
  });
});
