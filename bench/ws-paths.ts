// The WebSocket paths the benches compare, each server in its own process, one tailnet for all:
//   direct     — the client talks to the echo upstream itself;
//   this proxy — the production bundle of proxy/cli.ts, through mock-socks;
//   usual      — http-proxy-3 + socks-proxy-agent (the usual Node stack), through mock-socks.
import { benchBuild } from './build.ts';
import { listeningPort, startChild, type BenchChild } from './children.ts';

export const PROXY = 'this proxy';
export const USUAL = 'http-proxy-3 + socks-proxy-agent';

export interface WsPath {
  name: string;
  port: number;
  /** The request target the path is opened with. */
  target: string;
  /** The proxy's process (none for direct). */
  server?: BenchChild;
}

export interface WsPaths {
  direct: WsPath;
  proxies: WsPath[];
  /** The echo upstream + mock-socks process. */
  tailnet: BenchChild;
  close(): Promise<void>;
}

const upstream = 'http://100.84.184.84:8888';
const target = '/dev/code/stable-x?reconnectionToken=t';

export async function startWsPaths(): Promise<WsPaths> {
  const build = await benchBuild();
  const tailnet = await startChild(build.probe, build.tailnet, []);
  const { echoPort, socksPort } = JSON.parse(tailnet.firstLine) as { echoPort: number; socksPort: number };
  const ours = await startChild(build.probe, build.proxy, ['--listen', '127.0.0.1:0', '--socks', `socks5h://127.0.0.1:${socksPort}`, '--upstream', upstream, '--access-log', 'false']);
  const usual = await startChild(build.probe, build.usualStack, [String(socksPort), upstream]);
  return {
    direct: { name: 'direct', port: echoPort, target: '/stable-x?reconnectionToken=t' },
    proxies: [
      { name: PROXY, port: listeningPort(ours), target, server: ours },
      { name: USUAL, port: listeningPort(usual), target, server: usual },
    ],
    tailnet,
    close: async () => {
      await Promise.all([ours.close(), usual.close()]);
      await tailnet.close();
    },
  };
}
