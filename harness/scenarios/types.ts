// The catalog's shapes. A row's faults and settings are the mocks' and the proxy's own types,
// imported as types only, so this module stays plain data that the browser page can load too.
import type { BindMode, FaultSpec, PeerState } from '../../mock-socks/index.ts';
import type { ServerFaultSpec } from '../../mock-code-server/index.ts';
import type { ProxyConfig } from '../../proxy/index.ts';
import type { LegacyKnobs } from '../../proxy/legacy/knobs.ts';
import type { ContractPart } from './contract.ts';

export type { BindMode, LegacyKnobs, PeerState };
export type Variant = 'fixed' | 'legacy';
export const variants: readonly Variant[] = ['fixed', 'legacy'];

export type SocksFault = FaultSpec;

/** `name`: a label for the harness's own switches (mock-code-server ignores it). */
export type ServerFault = ServerFaultSpec & { name?: string };

/** A fault of the hop in front of the proxy (the front door; harness/server/front/). */
export interface FrontFault {
  type: string;
  /** Unique label (default: the type). */
  name?: string;
  attributes?: Record<string, unknown>;
  /** Counts WebSocket upgrades since the faults were set, 1-based. */
  which?: 'all' | { nth: number } | { first: number };
  /** 0..1: the probability that a selected upgrade gets the fault, drawn from the stack's seed. */
  toxicity?: number;
}

/**
 * Proxy settings a scenario may change (proxy/config.ts names and units); a `wsRetryWindowMs`, a
 * `wsUpgradeHoldMs` and a `wsRideOutMs` of 0 turn the retries off: the proxy as it was before them (a before/after comparison).
 */
export type ProxyTuning = Partial<Pick<ProxyConfig, 'wsLifetimeMs' | 'wsPingIntervalMs' | 'maxPayloadBytes' | 'socksGreetingTimeoutMs' | 'socksConnectReplyTimeoutMs' | 'upgradeTimeoutMs' | 'wsRetryWindowMs' | 'wsUpgradeHoldMs' | 'wsRideOutMs'>>;

export interface PlatformSetting {
  /** Cloud Run's request timeout (ms): WebSockets included, cut without a close frame. */
  requestTimeoutMs?: number;
  /** A hop with a per-message limit (bytes) that answers 1009, as the seed's python proxy did. */
  maxMessageBytes?: number;
}

/**
 * The tailnet peer goes away mid-session — its tunnels end, new CONNECTs fail as `peerState`
 * says — and comes back `forMs` later; the probe measures how long the workbench then takes.
 */
export interface Outage {
  peerState: Exclude<PeerState, 'up'>;
  forMs: number;
}

/** The state of the mock tailnet a scenario sets up. */
export interface TailnetSetting {
  bind?: BindMode;
  socksFaults?: SocksFault[];
  peerState?: PeerState;
  serverFaults?: ServerFault[];
}

/** What the browser's page does to exercise the path. */
export type Probe =
  | 'workbench' // management + extension host through /dev/code/
  | 'readiness' // the proxy's /readyz, then the workbench
  | 'vsda' // the two vsda requests, then the workbench
  | 'large-messages' // extension-host echo of messages from 1 MiB up
  | 'terminal' // /dev/ws/terminal: type, read the echo, resize
  | 'quiet' // a workbench (its keepalives flow) and a terminal nobody types in for `quietMs`, then typed into
  | 'background'; // a workbench whose page timers are throttled for `quietMs`, as in a background tab, then one call

/** What must be observed for a run to match the catalog. Every field present is checked. */
export interface Outcome {
  /** The catalog's words, shown by repro and the page. */
  says: string;
  /** connects: both workbench connections handshake; closes: the first socket ends with a close;
   *  recovers: a socket closes, the client reconnects with its token and loses nothing. */
  workbench?: 'connects' | 'closes' | 'recovers';
  /** The first socket close must carry one of these codes. */
  closeCodes?: number[];
  /** Regular expression the first close's reason must match. */
  reason?: string;
  /** The first close comes no later than this after the socket was created (ms). */
  closeWithinMs?: number;
  /** ... and no earlier than this (ms): a deadline that fired too soon is as wrong as a hang. */
  closeAfterMs?: number;
  /** Status the proxy answered the first upgrade with, as the front door saw it (the page cannot). */
  upgradeStatus?: number;
  /** /readyz through the proxy. */
  readiness?: { ready: boolean; says?: string };
  /** Status every vsda request must get. */
  vsdaStatus?: number;
  /** SOCKS log: 'quiet' = no line at all; otherwise a regular expression at least one line matches. */
  socksLog?: 'quiet' | string;
  /** Largest extension-host message that must round-trip intact (bytes). */
  echoesBytes?: number;
  /** Regular expression a cause named by the hop in front must match: the row reproduces a failure no proxy can fix, and names it. */
  namesCause?: string;
  /** Regular expression one event of the workbench client's timeline must match (its errors, its final close). */
  workbenchSaw?: string;
  /** No socket closed during the run ('all'), or no workbench socket ('workbench'). */
  survives?: 'all' | 'workbench';
  /** Regular expression the URL of the first socket to close must match. */
  firstCloseUrl?: string;
  /** At least this many sockets closed within 100 ms of the first close (everything dropped at once). */
  closesAtOnce?: number;
  /** A management call made after the quiet period was answered. */
  answersAfterQuiet?: boolean;
  /** The terminal echoes typed input. */
  terminalEchoes?: boolean;
}

export interface Scenario {
  id: string;
  /** The part of the proxy contract the fixed run needs (contract.ts); rows needing more than any proxy offers are not applicable to a BYO proxy. */
  needs: ContractPart;
  /** One line, for `repro --list` and the page's picker. */
  title: string;
  /** What is wrong, in the catalog's words. */
  wrong: string;
  tailnet: TailnetSetting;
  /** SOCKS5_PROXY per variant; `{port}` is the mock's port. Default socks5h://localhost:{port} (fixed), socks5h://127.0.0.1:{port} (legacy). */
  socksUrl?: Partial<Record<Variant, string>>;
  /** The legacy knobs this row's failure comes from; the legacy run is the fixed proxy with these switched on. */
  legacyKnobs: (keyof LegacyKnobs)[];
  /** Proxy settings per variant, on top of the harness's scaled defaults (timing.ts). */
  proxy?: Partial<Record<Variant, ProxyTuning>>;
  /**
   * Our proxy's upgrade path throws (the python `extra_headers` TypeError), through its
   * `beforeDial` hook; the legacy pass-through path has no such hook. Not applied to a BYO proxy.
   */
  upgradePathThrows?: boolean;
  /** The seed's health check was a bare TCP connect to the SOCKS port; the legacy run checks health that way. */
  legacyHealthIsPortProbe?: boolean;
  /** The hops in front of the proxy, emulated by the harness's front door, per variant. */
  platform?: Partial<Record<Variant, PlatformSetting>>;
  /** Faults of the hop in front of the proxy (both variants): a reverse proxy, ingress or platform front end misbehaving. */
  front?: FrontFault[];
  probe: Probe;
  /** quiet / background probes: how long the session stays quiet (ms); workbench probe: how long nothing connects first (an idle instance). */
  quietMs?: number;
  /** background probe: the page's timers wake up only on multiples of this (ms), as a throttled background tab's do. */
  throttleWindowMs?: number;
  /**
   * Where the fault sits. 'in-front': in a hop before the proxy, which no proxy can fix — the fixed
   * run reproduces it and names the cause (it may see 1006); otherwise the fixed run is met by the proxy.
   */
  faultSits?: 'in-front';
  /** The public reports of this failure (owner/repo#N, documentation pages). */
  evidence?: string[];
  /** What fixes it, and where. */
  remedy?: string;
  /** Once the workbench is up, the peer is gone for a while (recovery rows). */
  outage?: Outage;
  expect: Record<Variant, Outcome>;
}
