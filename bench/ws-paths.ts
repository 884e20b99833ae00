// The WebSocket paths the benches compare, each server in its own process:
//   direct     — the client talks to the echo upstream itself;
//   this proxy — the production bundle of proxy/cli.ts, through mock-socks;
//   usual      — http-proxy-3 + socks-proxy-agent (the usual Node stack), through mock-socks;
//                or, with `baseline: 'same'`, a second copy of this proxy (an A/A run), or with
//                `baseline: { bundle }` another bundle of it (an A/B run of a change).
// The tailnet (echo upstream + mock-socks, ./roles/tailnet.ts) is one process shared by every path,
// or, with `tailnetPerPath`, one identical process per proxy, so that thousands of sessions can be
// open on both proxies at once (each tailnet holds three descriptors per session).
import { basename } from 'node:path';
import { benchBuild } from './build.ts';
import type { Baseline } from './options.ts';
import { listeningPort, startChild, type BenchChild } from './children.ts';
import { pin, type Pinning, type Placement } from './placement.ts';

export const PROXY = 'this proxy';
export const USUAL = 'http-proxy-3 + socks-proxy-agent';
/** The baseline when it is a second copy of this proxy (`--baseline same`): the bench's own resolution. */
export const SAME = 'this proxy, second copy';

/** The baseline's name in the tables. */
export function baselineName(baseline: Baseline): string {
  if (baseline === 'usual') return USUAL;
  return baseline === 'same' ? SAME : `this proxy as ${basename(baseline.bundle)}`;
}

export interface WsPath {
  name: string;
  port: number;
  /** The request target the path is opened with. */
  target: string;
  /** The proxy's process (none for direct). */
  server?: BenchChild;
  /** The echo upstream + mock-socks process behind it. */
  tailnet: BenchChild;
}

export interface WsPaths {
  direct: WsPath;
  proxies: WsPath[];
  close(): Promise<void>;
}

const upstream = 'http://100.84.184.84:8888';
const target = '/dev/code/stable-x?reconnectionToken=t';

export async function startWsPaths(options: { tailnetPerPath?: boolean; baseline?: Baseline } = {}): Promise<WsPaths> {
  const build = await benchBuild();
  const startTailnet = async () => {
    const child = await startChild(build.probe, build.tailnet, []);
    return { child, ...(JSON.parse(child.firstLine) as { echoPort: number; socksPort: number }) };
  };
  const shared = await startTailnet();
  const second = options.tailnetPerPath ? await startTailnet() : shared;
  const proxyArgs = (socksPort: number) => ['--listen', '127.0.0.1:0', '--socks', `socks5h://127.0.0.1:${socksPort}`, '--upstream', upstream, '--access-log', 'false'];
  const ours = await startChild(build.probe, build.proxy, proxyArgs(shared.socksPort));
  const baseline = options.baseline ?? 'usual';
  const usual =
    baseline === 'usual'
      ? await startChild(build.probe, build.usualStack, [String(second.socksPort), upstream])
      : await startChild(build.probe, baseline === 'same' ? build.proxy : baseline.bundle, proxyArgs(second.socksPort));
  return {
    direct: { name: 'direct', port: shared.echoPort, target: '/stable-x?reconnectionToken=t', tailnet: shared.child },
    proxies: [
      { name: PROXY, port: listeningPort(ours), target, server: ours, tailnet: shared.child },
      { name: baselineName(baseline), port: listeningPort(usual), target, server: usual, tailnet: second.child },
    ],
    close: async () => {
      await Promise.all([ours.close(), usual.close()]);
      await Promise.all([shared.child.close(), second.child.close()]);
    },
  };
}

/**
 * Places every proxy alike (./placement.ts). same: the proxies on the bench's CPU, their tailnet
 * with them, or on the other CPU with `tailnetApart` (where both are busy at once: it needs a CPU
 * of its own); apart: the proxies on the other CPU, the tailnet with the bench.
 */
export function pinProxies(proxies: WsPath[], placement: Placement, { tailnetApart }: { tailnetApart: boolean }): Pinning {
  const servers = { what: 'the proxies', pids: proxies.flatMap((p) => (p.server ? [p.server.pid] : [])) };
  const tailnetPids = [...new Set(proxies.map((p) => p.tailnet.pid))];
  const tailnets = { what: tailnetPids.length > 1 ? 'the tailnets' : 'the tailnet', pids: tailnetPids };
  if (placement === 'apart') return pin(placement, [tailnets], [servers]);
  return tailnetApart ? pin(placement, [servers], [tailnets]) : pin(placement, [servers, tailnets], []);
}
