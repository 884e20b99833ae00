// What the server hands a WebSocket upgrade to once it is routed: the bridge owns the session from
// there to its last socket, counts what is open, and closes it all on shutdown. The product's
// bridge runs a WsSession per upgrade (./ws-session.ts), within the connection limit.
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ProxyConfig } from '../config.ts';
import { ProxyError } from '../errors.ts';
import type { AccessRecord } from '../log.ts';
import type { Dialer } from '../socks/dial.ts';
import { UpstreamWatch } from './upstream-watch.ts';
import { WsSession } from './ws-session.ts';

export interface UpgradeTarget {
  /** The upstream's base URL; undefined when the route has none configured (no TERMINAL_URL). */
  upstream: URL | undefined;
  /** The request target sent upstream, byte for byte. */
  target: string;
}

export interface WebSocketBridge {
  /** Takes over an upgrade; calls `ended` once, with the record complete, when its sockets are done. */
  accept(req: IncomingMessage, socket: Duplex, head: Buffer, to: UpgradeTarget, record: AccessRecord, ended: (record: AccessRecord) => void): void;
  /** Sessions open now. */
  readonly size: number;
  /** Shutdown: 1001 to every session, up to `graceMs` for their closing handshakes, then every socket destroyed. */
  close(graceMs: number): Promise<void>;
}

export interface SessionBridgeOptions {
  config: ProxyConfig;
  dialer: Dialer;
  upstreamHeaders: (req: IncomingMessage, upstreamHost: string) => OutgoingHttpHeaders;
  beforeDial?: (req: IncomingMessage) => void | Promise<void>;
}

export class SessionBridge implements WebSocketBridge {
  private readonly options: SessionBridgeOptions;
  private readonly sessions = new Set<WsSession>();
  /** Browser sockets of ended sessions, kept until the browser closes TCP (see WsSession.closeBoth). */
  private readonly lingering = new Set<Duplex>();
  private closing = false;
  /** Workbench connections riding out an upstream's outage share its tries (./upstream-watch.ts). */
  private readonly watch: UpstreamWatch;
  private drained: (() => void) | undefined;

  constructor(options: SessionBridgeOptions) {
    this.options = options;
    this.watch = new UpstreamWatch(options.dialer, options.config.retryIntervalMs);
  }

  get size(): number {
    return this.sessions.size;
  }

  accept(req: IncomingMessage, socket: Duplex, head: Buffer, to: UpgradeTarget, record: AccessRecord, ended: (record: AccessRecord) => void): void {
    const { config } = this.options;
    const session = new WsSession(
      {
        dialer: this.options.dialer,
        upstreamUrl: to.upstream ?? new URL('http://unconfigured.invalid'), // refused before any dial
        upstreamTarget: to.target,
        upstreamHeaders: this.options.upstreamHeaders,
        upgradeTimeoutMs: config.upgradeTimeoutMs,
        retry: { windowMs: config.wsRetryWindowMs, intervalMs: config.retryIntervalMs },
        upgradeHoldMs: config.wsUpgradeHoldMs,
        rideOut: { forMs: config.wsRideOutMs, keepAliveMs: config.wsRideOutKeepAliveMs, watch: this.watch },
        lifetimeMs: config.wsLifetimeMs,
        pingIntervalMs: config.wsPingIntervalMs,
        maxPayloadBytes: config.maxPayloadBytes,
        highWaterMarkBytes: config.highWaterMarkBytes,
        closeGraceMs: config.shutdownGraceMs,
        upstreamEndSettleMs: config.upstreamEndSettleMs,
        lingering: this.lingering,
        refuse: this.refusal(to),
        beforeDial: this.options.beforeDial,
      },
      record,
      (done) => {
        this.sessions.delete(done);
        ended(done.record);
        if (this.sessions.size === 0) this.drained?.();
      },
    );
    this.sessions.add(session);
    void session.run(req, socket, head);
  }

  /** Why a new session is closed at once, if it is. */
  private refusal(to: UpgradeTarget): ProxyError | undefined {
    if (this.closing) return new ProxyError('proxy.shutdown', 'the proxy is shutting down');
    if (this.sessions.size >= this.options.config.maxConnections) return new ProxyError('proxy.connection_limit', `${this.options.config.maxConnections} sessions open`);
    if (!to.upstream) return new ProxyError('route.not_configured', 'TERMINAL_URL is not set');
    return undefined;
  }

  async close(graceMs: number): Promise<void> {
    this.closing = true;
    const shutdown = new ProxyError('proxy.shutdown', 'the proxy is shutting down');
    for (const session of this.sessions) session.end(shutdown);
    if (this.sessions.size > 0) {
      await new Promise<void>((resolve) => {
        const grace = setTimeout(resolve, graceMs);
        this.drained = () => {
          clearTimeout(grace);
          resolve();
        };
      });
    }
    for (const session of this.sessions) session.destroy();
    for (const socket of this.lingering) socket.destroy();
  }
}
