// The proxy between the tests' own fixtures: a tiny SOCKS relay that records every CONNECT and an
// echo upstream reachable only as the tailnet address 100.84.184.84:8888.
import { startProxy, type ProxyHandle, type StartProxyOptions } from '../server.ts';
import { startLegacyProxy, type LegacyKnobs } from '../legacy/index.ts';
import type { AccessRecord } from '../log.ts';
import { startEchoUpstream, type EchoUpstream } from './echo-upstream.ts';
import { startTinySocks, type TinySocks } from './tiny-socks.ts';

export interface FixtureStack {
  proxy: ProxyHandle;
  socks: TinySocks;
  upstream: EchoUpstream;
  records: AccessRecord[];
  wsUrl: (path: string) => string;
  close(): Promise<void>;
}

export const tailnetUpstream = 'http://100.84.184.84:8888';

/** The proxy between the fixtures: the product, or the legacy entry when `legacy` knobs are given. */
export async function startFixtureStack(options: StartProxyOptions = {}, legacy?: Partial<LegacyKnobs>): Promise<FixtureStack> {
  const upstream = await startEchoUpstream();
  const socks = await startTinySocks({ routes: { '100.84.184.84:8888': `127.0.0.1:${upstream.port}`, '100.84.184.84:7681': `127.0.0.1:${upstream.port}` } });
  const records: AccessRecord[] = [];
  const settings: StartProxyOptions = {
    socksUrl: socks.url(),
    upstreamUrl: tailnetUpstream,
    terminalUrl: 'ws://100.84.184.84:7681/terminal-ws',
    log: (record) => records.push({ ...record }),
    ...options,
  };
  const proxy = legacy ? await startLegacyProxy({ ...settings, legacy }) : await startProxy(settings);
  return {
    proxy,
    socks,
    upstream,
    records,
    wsUrl: (path) => proxy.url.replace(/^http/, 'ws') + path,
    async close() {
      await proxy.close();
      await socks.close();
      await upstream.close();
    },
  };
}
