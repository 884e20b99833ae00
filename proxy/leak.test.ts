// Nothing outlives its connection: the proxy runs alone in a child process (--expose-gc), and its
// heap after full collections, its file descriptors and what the browsers saw are compared across
// rounds of sessions and requests through a real SOCKS relay to a real upstream. Sized to stay
// under a minute on a loaded machine; `npm run soak` runs the 3 × 2,000-session version.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProxyHost, type ProxyHost } from './soak/host.ts';
import { describeRounds, heapGrowth, measuredRounds } from './soak/rounds.ts';
import { echoThenEnd, httpGet } from './soak/sessions.ts';
import { startEchoUpstream, type EchoUpstream } from './test/echo-upstream.ts';
import { tailnetUpstream } from './test/stack.ts';
import { startTinySocks, type TinySocks } from './test/tiny-socks.ts';

const KiB = 1024;
let upstream: EchoUpstream;
let socks: TinySocks;
let host: ProxyHost;

beforeAll(async () => {
  upstream = await startEchoUpstream();
  socks = await startTinySocks({ routes: { '100.84.184.84:8888': `127.0.0.1:${upstream.port}` } });
  host = await startProxyHost({ socksUrl: socks.url(), upstreamUrl: tailnetUpstream, accessLog: false, keepAliveTimeoutMs: 50, shutdownGraceMs: 500 });
});
afterAll(async () => {
  await host?.close();
  await socks?.close();
  await upstream?.close();
});

describe('nothing outlives its connection', () => {
  it('3 rounds × 1,000 WebSocket sessions (half reset by the browser, half closed): heap after GC flat, fds back to baseline, no 1006', { timeout: 120_000 }, async () => {
    // Broke: the npm socks client armed a 2^31 − 1 ms timer per tunnel and never cleared it, so every ended session stayed reachable (4 × 1,000 sessions: heap 7 → 38 MiB).
    const result = await measuredRounds(host, 3, 1000, 50, (i, tally) => echoThenEnd(host.port, i, tally));
    console.log(describeRounds('ws', result));
    expect(result.tally.sessions).toBe(3000);
    expect(result.tally.unexpected).toEqual([]);
    expect(result.tally.codes.get(1006) ?? 0).toBe(0);
    expect(result.tally.codes.get(1000)).toBe(1500);
    expect(heapGrowth(result)).toBeLessThan(200 * KiB);
    expect(result.measures.map((m) => m.fds)).toEqual([result.baseline.fds, result.baseline.fds, result.baseline.fds]);
  });

  it('3 rounds × 500 HTTP requests and 500 /readyz: heap after GC flat, fds back to baseline', { timeout: 120_000 }, async () => {
    // Broke: the same timer kept every /readyz tunnel (and every HTTP tunnel) reachable after it closed.
    const result = await measuredRounds(host, 3, 500, 50, async (i) => {
      expect(await httpGet(host.port, `/dev/code/headers?i=${i}`)).toBe(200);
      expect(await httpGet(host.port, '/readyz')).toBe(200);
    });
    console.log(describeRounds('http', result));
    expect(heapGrowth(result)).toBeLessThan(200 * KiB);
    expect(result.measures.map((m) => m.fds)).toEqual([result.baseline.fds, result.baseline.fds, result.baseline.fds]);
  });
});
