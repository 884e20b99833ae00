// The faults of the hop in front of the proxy — the reverse proxy, ingress, load balancer or
// platform front end a browser reaches the proxy through — behind one small interface, after
// mock-socks's (and Toxiproxy's): settings read once when the fault is created from its JSON,
// per-connection state in what its hooks return. A fault acts at two points: when an upgrade
// arrives (answer it here, change it, make it wait) and on a relayed WebSocket (watch or reshape
// its bytes, drop it, close it). Whatever it does, it names the cause in the words of the symptom.

/** The browser's upgrade request as the hop will forward it; a fault may change it in place. */
export interface UpgradeRequest {
  method: string;
  /** Path and query, as sent. */
  target: string;
  version: string;
  /** Name and value pairs, in the browser's order and case. */
  headers: [string, string][];
}

/** One upgrade arriving at the hop, before anything of it reaches the proxy. */
export interface Upgrade {
  /** 1-based, counted since the faults were set. */
  readonly number: number;
  readonly request: UpgradeRequest;
  /** Resolves true after `ms`, false as soon as the browser went away. */
  wait(ms: number): Promise<boolean>;
  /** Calls `fn` once, when the browser's socket has closed (whether or not the upgrade went through). */
  onEnd(fn: () => void): void;
  /** Says why the browser sees what it sees: one line, in the symptom's words. */
  name(cause: string): void;
}

/** What the hop does with an upgrade: forward it (as a fault may have changed it), or answer it itself. */
export type Admission =
  | { kind: 'forward' }
  /** A raw HTTP response written to the browser instead; the socket ends after it. */
  | { kind: 'answer'; response: string }
  /** The hop completes the handshake itself and nothing is behind it; it drops the socket after `closeAfterMs` (0 = never). */
  | { kind: 'hollow'; closeAfterMs: number };

/** A WebSocket the hop relays, from the proxy's 101 on. */
export interface Link {
  readonly number: number;
  readonly path: string;
  /** Ends both sides without a close frame: the browser sees 1006. */
  drop(): void;
  /** A close frame to the browser at the next frame boundary, a FIN to the proxy. */
  goAway(code: number, reason: string): void;
  name(cause: string): void;
}

/** A fault's view of one relayed WebSocket's bytes. */
export interface LinkTap {
  /** Bytes on their way to the browser; may be changed in place. */
  toBrowser?(chunk: Buffer): void;
  /** Bytes on their way to the proxy. */
  toProxy?(chunk: Buffer): void;
  /** The link ended: its timers go. */
  end?(): void;
}

/** The whole hop, for faults that act on every WebSocket at once. */
export interface Door {
  links(): Iterable<Link>;
  name(cause: string): void;
}

export interface HopFault {
  /** Decides an upgrade (may wait); undefined forwards it. */
  admit?(upgrade: Upgrade): Admission | undefined | Promise<Admission | undefined>;
  /** Joins a WebSocket the hop relays. */
  relay?(link: Link): LinkTap | undefined;
  /** The fault was removed: its timers go. */
  dispose?(): void;
}

/** A registered fault type: checks a spec's attributes and builds the fault. */
export interface HopFaultType {
  name: string;
  /** Every attribute the fault reads; any other key in a spec is refused. */
  attributes: readonly string[];
  create(attributes: Record<string, unknown>, door: Door): HopFault;
}
