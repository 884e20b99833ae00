// What the stack reports about itself: the page shows it, the control API serves it, repro prints it.
import type { BindMode, FrontFault, PeerState, Profile, ServerFault, SocksFault } from './scenarios/types.ts';
import { joinHostPort } from '../common/host-port.ts';

export interface StackInfo {
  /** The harness page and control API; also the front end the browser reaches the proxy through. */
  pageUrl: string;
  socks: { addresses: { host: string; port: number; family: 4 | 6 }[]; bind: BindMode };
  /** mock-code-server, or a real code-server in its place (then time runs unscaled). */
  codeServer: { url: string; commit: string; timeScale: number; kind: 'mock' | 'real' };
  peer: { address: string; names: string[]; ports: Record<number, string>; state: PeerState };
  proxy: {
    url: string;
    /** 'ours' = proxy/ in this process; otherwise the command line that was run. */
    kind: 'ours' | 'command';
    command?: string;
    socksUrl: string;
    upstreamUrl: string;
    terminalUrl: string;
    profile: Profile;
    legacyKnobs: string[];
  };
  scenario: { id: string; profile: Profile } | null;
  /** Faults in force: mock-socks's, code-server's, and the front door's (the hop in front of the proxy). */
  faults: { socks: SocksFault[]; server: ServerFault[]; front: FrontFault[] };
  /** The front door's hops: its open timeout, and the scenario's platform settings. */
  platform: { openTimeoutMs: number; requestTimeoutMs?: number; maxMessageBytes?: number };
}

/** A live change from the page or a test; fields left out stay as they are. */
export interface FaultChange {
  socks?: SocksFault[];
  server?: ServerFault[];
  front?: FrontFault[];
  peerState?: PeerState;
  /** Also end every live tunnel to the peer, as a path that breaks does (an outage's start). */
  dropPeerTunnels?: boolean;
}

/** One line of the stack's combined log, as streamed to the page. */
export interface LogLine {
  t: number;
  /**
   * 'front': what the front door saw the proxy answer to each upgrade (the browser cannot tell);
   * 'cause': a fault of the hop in front acted, and this is why the browser sees what it sees.
   */
  source: 'socks' | 'proxy' | 'front' | 'cause';
  line: string;
}

/** Where mock tailscaled listens, as `HOST:PORT` / `[v6]:PORT`. */
export function socksListening(info: StackInfo): string[] {
  return info.socks.addresses.map((a) => joinHostPort(a.host, a.port));
}
