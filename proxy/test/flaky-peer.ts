// The tailnet the retry-window tests need: the echo upstream as the peer 100.84.184.84:8888 behind
// the tests' SOCKS relay, which a test switches to refusing (05 01 at once, as tailscaled answers
// while the peer refuses) and back, every CONNECT counted — one per attempt of the proxy to reach
// the upstream — and the proxy under test with its access records. reset() waits until every
// tunnel is closed, so none counts in the next test.
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { AccessRecord } from '../log.ts';
import { startProxy, type ProxyHandle, type StartProxyOptions } from '../server.ts';
import { startEchoUpstream, type EchoUpstream } from './echo-upstream.ts';
import { startTinySocks, type TinySocks } from './tiny-socks.ts';

export const peer = '100.84.184.84';

export interface FlakyPeer {
  upstream: EchoUpstream;
  socks: TinySocks;
  /** CONNECTs the relay was asked for since the last reset. */
  readonly connects: number;
  /** Access records of the proxy started since the last reset. */
  records: AccessRecord[];
  proxy(): ProxyHandle | undefined;
  /** Our proxy in front of the peer, scaled options over the product's; its URL. */
  startProxy(options: StartProxyOptions): Promise<string>;
  reset(): Promise<void>;
  close(): Promise<void>;
}

/** One flaky peer for a test file: started before its tests, reset after each, closed after all. */
export function flakyPeerPerFile(): FlakyPeer {
  let started: FlakyPeer | undefined;
  const peerNow = (): FlakyPeer => {
    if (!started) throw new Error('the flaky peer starts in beforeAll');
    return started;
  };
  beforeAll(async () => {
    started = await startFlakyPeer();
  });
  afterEach(() => peerNow().reset());
  afterAll(() => peerNow().close());
  return {
    get upstream() {
      return peerNow().upstream;
    },
    get socks() {
      return peerNow().socks;
    },
    get connects() {
      return peerNow().connects;
    },
    get records() {
      return peerNow().records;
    },
    proxy: () => peerNow().proxy(),
    startProxy: (options) => peerNow().startProxy(options),
    reset: () => peerNow().reset(),
    close: () => peerNow().close(),
  };
}

async function startFlakyPeer(): Promise<FlakyPeer> {
  const upstream = await startEchoUpstream();
  const socks = await startTinySocks({ routes: { [`${peer}:8888`]: `127.0.0.1:${upstream.port}` } });
  let proxy: ProxyHandle | undefined;
  const flaky: FlakyPeer = {
    upstream,
    socks,
    get connects() {
      return socks.connects.length;
    },
    records: [],
    proxy: () => proxy,
    startProxy: async (options) => {
      proxy = await startProxy({ socksUrl: socks.url(), upstreamUrl: `http://${peer}:8888`, log: (record) => flaky.records.push({ ...record }), ...options });
      return proxy.url;
    },
    reset: async () => {
      await proxy?.close();
      proxy = undefined;
      await expect.poll(() => socks.open()).toBe(0);
      socks.connects.length = 0;
      flaky.records.length = 0;
      socks.refusing = false;
      socks.downForMs = 0;
      upstream.refuseUpgrades(0, 0);
    },
    close: async () => {
      await proxy?.close();
      await socks.close();
      await upstream.close();
    },
  };
  return flaky;
}
