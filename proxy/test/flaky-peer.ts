// The tailnet the retry-window tests need: mock-code-server as the peer 100.84.184.84:8888 behind
// mock-socks, whose state a test flips (refusing, down, up), every CONNECT mock-socks answered
// counted — one per attempt of the proxy to reach the upstream — and the proxy under test with its
// access records. reset() waits until every tunnel is closed, so none counts in the next test.
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { startMockCodeServer, type MockCodeServerHandle } from '../../mock-code-server/index.ts';
import { startMockSocks, type MockSocksHandle } from '../../mock-socks/index.ts';
import type { AccessRecord } from '../log.ts';
import { startProxy, type ProxyHandle, type StartProxyOptions } from '../server.ts';

export const peer = '100.84.184.84';

export interface FlakyPeer {
  codeServer: MockCodeServerHandle;
  socks: MockSocksHandle;
  /** When mock-socks answered each CONNECT since the last reset (performance.now()). */
  connects: number[];
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
    get codeServer() {
      return peerNow().codeServer;
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
  const codeServer = await startMockCodeServer({ timeScale: 0.01 });
  const socks = await startMockSocks({ peers: [{ address: peer, ports: { 8888: `127.0.0.1:${codeServer.port}` } }], dialTimeoutMs: 50 });
  let proxy: ProxyHandle | undefined;
  const flaky: FlakyPeer = {
    codeServer,
    socks,
    connects: [],
    records: [],
    proxy: () => proxy,
    startProxy: async (options) => {
      proxy = await startProxy({ socksUrl: `socks5h://localhost:${socks.port}`, upstreamUrl: `http://${peer}:8888`, log: (record) => flaky.records.push({ ...record }), ...options });
      return proxy.url;
    },
    reset: async () => {
      await proxy?.close();
      proxy = undefined;
      await expect.poll(() => socks.connections().length).toBe(0);
      flaky.connects.length = 0;
      flaky.records.length = 0;
      socks.setPeerState(peer, 'up');
      codeServer.clearFaults();
    },
    close: async () => {
      await proxy?.close();
      await socks.close();
      await codeServer.close();
    },
  };
  socks.on('connection', (record) => {
    if (record.event === 'close' && record.replyCode !== undefined) flaky.connects.push(performance.now());
  });
  return flaky;
}
