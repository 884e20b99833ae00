// The public contract other rooms build against (see the room README). Kept in its own module so
// the implementation files can import these types without importing the server.

export type BindMode = 'go' | 'ipv4-only' | 'ipv6-only' | 'dual';
export type PeerState = 'up' | 'down' | 'refusing';

export interface PeerSpec {
  /** Tailnet IPv4 in 100.64.0.0/10, e.g. '100.84.184.84'. */
  address: string;
  /** MagicDNS names, short and FQDN, e.g. ['devbox', 'devbox.tail1234.ts.net']; matched case-insensitively. */
  names?: string[];
  /** Tailnet port -> local 'HOST:PORT' it maps to, e.g. { 8888: '127.0.0.1:41234' }. */
  ports: Record<number, string>;
  /** Default 'up'. */
  state?: PeerState;
}

export type ConnectionSelector = 'all' | { nth: number } | { first: number } | { destination: string };

/** Where a fault acts: a handshake phase, or a relay direction (upstream = client → target). */
export type Phase = 'accept' | 'greeting' | 'auth' | 'connect' | 'relay';
export type Direction = 'upstream' | 'downstream';

export interface FaultSpec {
  /** Registered name, e.g. 'slow-handshake', 'latency' (see faults/README section of the room README). */
  type: string;
  /** Unique label (default = type). */
  name?: string;
  /** Fault-specific settings; units are in the names (delayMs, bytes, rateKBps…). */
  attributes?: Record<string, unknown>;
  /** A phase or a direction, depending on the fault. */
  where?: string;
  /** Probability 0..1 that a selected connection gets the fault; default 1; drawn from the seeded generator. */
  toxicity?: number;
  /** Default 'all'. */
  which?: ConnectionSelector;
}

export interface MockSocksOptions {
  /** 'HOST:PORT', default '127.0.0.1:0'. */
  listen?: string;
  /** Default 'go'. */
  bind?: BindMode;
  /** When set, RFC 1929 username/password is the only accepted method (as tsnet's loopback proxy). */
  credentials?: { user: string; pass: string };
  peers?: PeerSpec[];
  faults?: FaultSpec[];
  /** CONNECT dial budget, name resolution included; tailscaled's 5000 ms by default. */
  dialTimeoutMs?: number;
  /** This node's tailnet address, the BND.ADDR of success replies for tailnet targets. Default '100.100.100.100'. */
  selfAddress?: string;
  /** Default false: host targets that are not loopback get 05 01 and a Go-style dial error. */
  allowNonLoopback?: boolean;
  /** Seed of the generator behind toxicity and jitter; default 1. */
  seed?: number;
  /** tailscaled's per-format log rate limiter (burst 5, then 1 per 5 s). Default false. */
  rateLimit?: boolean;
  /** Rate limiter window in ms (default 5000); tests scale it down. */
  rateLimitIntervalMs?: number;
  /** Where log lines go; Go's time prefix is added unless the stream is a TTY. Default null (handle.logs() only). */
  logStream?: NodeJS.WritableStream | null;
  /** Keep a hex transcript of every conversation (in 'connection' close records and handle.transcript(id)). */
  transcript?: boolean;
}

export interface ConnectionInfo {
  id: number;
  remote: string;
  destination?: string;
  phase: string;
  bytesUp: number;
  bytesDown: number;
}

/** Emitted on 'connection': once at open, once at close. */
export interface ConnectionRecord extends ConnectionInfo {
  event: 'open' | 'close';
  /** The reply code the server wrote to the CONNECT/UDP request, if it got that far. */
  replyCode?: number;
  /** The local 'HOST:PORT' the server actually dialled for this connection, if any. */
  dialled?: string;
  /** The failure logged for this connection, if any (without the 'socks5: client connection failed: ' part). */
  error?: string;
  /** Hex transcript lines ('> ' client → server, '< ' server → client), when transcripts are on. */
  transcript?: string[];
}

export interface MockSocksHandle {
  /** Every bound address. */
  addresses: { host: string; port: number; family: 4 | 6 }[];
  port: number;
  setFaults(faults: FaultSpec[]): void;
  clearFaults(): void;
  /** The faults in force, as given. */
  faults(): FaultSpec[];
  addPeer(peer: PeerSpec): void;
  setPeerState(addressOrName: string, state: PeerState): void;
  /** The tailnet map: every peer with its names, ports and state. */
  peers(): Required<PeerSpec>[];
  connections(): ConnectionInfo[];
  kill(id: number): void;
  /** Log lines so far, without the Go time prefix. */
  logs(): string[];
  /** Hex transcript of a conversation (live or closed), when transcripts are on. */
  transcript(id: number): string[] | undefined;
  on(event: 'log', fn: (line: string) => void): void;
  on(event: 'connection', fn: (record: ConnectionRecord) => void): void;
  off(event: 'log', fn: (line: string) => void): void;
  off(event: 'connection', fn: (record: ConnectionRecord) => void): void;
  close(): Promise<void>;
}
