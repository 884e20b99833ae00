// One WebSocket session, fixed profile. The proxy owns the browser-facing socket: it completes the
// browser's upgrade first and only then dials the upstream, so every failure after that point —
// SOCKS, the upstream's answer, an upstream that vanishes, an exception in the proxy — reaches the
// browser as a close frame with a code and a reason, never as 1006 (DESIGN.md "Close codes are
// the contract"). The steps run in order; the first that throws ends the session.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, type WebSocketServer } from 'ws';
import { asProxyError, CloseCode, closeCodeFor, closeReason, ProxyError } from '../errors.ts';
import { recordDialSteps, type AccessRecord } from '../log.ts';
import { SocksDialError, type SocksDialer } from '../socks/dial.ts';
import { forwardMessages, isSendableCloseCode } from './relay.ts';
import { upstreamUpgradeHeaders } from './headers.ts';

export interface WsSessionOptions {
  wss: WebSocketServer;
  dialer: SocksDialer;
  /** `ws://host:port/path?query` to open upstream, query already as it must be sent. */
  upstreamUrl: URL;
  /** The request target sent upstream, byte for byte (WHATWG URL parsing would re-encode the query). */
  upstreamTarget: string;
  /** Deadline for the upstream's 101 once the tunnel is up, ms; 0 = none. */
  upgradeTimeoutMs: number;
  /** Session lifetime, ms; then 1001 both ways. 0 = none. */
  lifetimeMs: number;
  maxPayloadBytes: number;
  highWaterMarkBytes: number;
  hostRewrite: boolean;
  /** Set when the session must be refused at once (connection limit, unconfigured route). */
  refuse?: ProxyError;
  /** Runs in the upgrade path before dialing (e.g. an auth check); what it throws ends the session with 1011. */
  beforeDial?: (req: IncomingMessage) => void | Promise<void>;
}

export class WsSession {
  browser: WebSocket | undefined;
  upstream: WebSocket | undefined;
  readonly record: AccessRecord;
  private readonly options: WsSessionOptions;
  private readonly started = performance.now();
  private lifetime: NodeJS.Timeout | undefined;
  private upstreamError: Error | undefined;
  private ended = false;
  private readonly up = { bytes: 0 };
  private readonly down = { bytes: 0 };
  private flushEarly: () => void = () => {};
  private readonly onEnd: (session: WsSession) => void;

  constructor(options: WsSessionOptions, record: AccessRecord, onEnd: (session: WsSession) => void) {
    this.options = options;
    this.record = record;
    this.onEnd = onEnd;
  }

  /** The ordered steps of the upgrade path. */
  async run(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    // Attached before anything can fail: an unhandled 'error' on the browser socket would crash the process.
    socket.on('error', (error) => (this.record.cause ??= `browser.error ${error.message}`));
    try {
      this.browser = await this.acceptBrowser(req, socket, head);
      if (this.options.refuse) throw this.options.refuse;
      await this.options.beforeDial?.(req);
      const tunnel = await this.dialTunnel();
      if (this.ended) return void tunnel.destroy();
      await this.upgradeUpstream(req, tunnel);
      this.startRelay();
    } catch (error) {
      this.fail(error);
    }
  }

  /** Closes both sides with `cause` (shutdown, lifetime). */
  end(cause: ProxyError): void {
    this.fail(cause);
  }

  private acceptBrowser(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<WebSocket> {
    return new Promise((resolve, reject) => {
      // ws answers a malformed upgrade with 400 itself and never calls back; the socket closing tells us.
      const onClose = () => reject(new ProxyError('route.bad_upgrade', 'browser upgrade request rejected (400)'));
      socket.once('close', onClose);
      this.options.wss.handleUpgrade(req, socket, head, (browser) => {
        socket.off('close', onClose);
        browser.on('error', (error) => (this.record.cause ??= `browser.error ${error.message}`));
        browser.once('close', (code, reason) => this.browserClosed(code, reason.toString()));
        // Listening from the first moment: the workbench speaks first, while the upstream is still being dialled.
        this.flushEarly = forwardMessages(browser, () => this.upstream, this.options.highWaterMarkBytes, this.up);
        resolve(browser);
      });
    });
  }

  private async dialTunnel(): Promise<Duplex> {
    const upstream = this.options.upstreamUrl;
    try {
      const tunnel = await this.options.dialer.dial({ host: upstream.hostname, port: Number(upstream.port || 80) });
      recordDialSteps(this.record, tunnel.steps);
      this.record.socks = tunnel.server;
      return tunnel.socket;
    } catch (error) {
      if (error instanceof SocksDialError) recordDialSteps(this.record, error.steps);
      throw error;
    }
  }

  private upgradeUpstream(req: IncomingMessage, tunnel: Duplex): Promise<void> {
    const started = performance.now();
    const { upgradeTimeoutMs } = this.options;
    return new Promise((resolve, reject) => {
      const upstream = new WebSocket(this.options.upstreamUrl, protocolsOf(req), {
        createConnection: () => tunnel as never, // ws types want a net.Socket; any Duplex works (ws tests do the same)
        headers: upstreamUpgradeHeaders(req, { upstreamHost: this.options.upstreamUrl.host, hostRewrite: this.options.hostRewrite }),
        perMessageDeflate: false,
        maxPayload: this.options.maxPayloadBytes,
        // The tunnel is private to this session: masking (RFC 6455 §10.3) guards shared caches, not this hop.
        generateMask: zeroMask,
        finishRequest: (request) => {
          request.path = this.options.upstreamTarget;
          request.end();
        },
      });
      this.upstream = upstream;
      const timer = upgradeTimeoutMs > 0 ? setTimeout(() => failUpgrade(new ProxyError('upstream.timeout.upgrade', `no 101 after ${upgradeTimeoutMs} ms`)), upgradeTimeoutMs) : undefined;
      const failUpgrade = (error: ProxyError) => {
        clearTimeout(timer);
        tunnel.destroy();
        reject(error);
      };
      upstream.once('unexpected-response', (_request, response) => {
        failUpgrade(new ProxyError('upstream.upgrade_refused', `(HTTP ${response.statusCode ?? '?'})`));
      });
      upstream.on('error', (error) => {
        this.upstreamError = error;
        if (upstream.readyState === WebSocket.CONNECTING || upstream.readyState === WebSocket.CLOSED) failUpgrade(upgradeFailure(error));
      });
      upstream.once('close', () => failUpgrade(new ProxyError('upstream.closed_before_upgrade', 'the upstream ended the connection before answering')));
      upstream.once('open', () => {
        clearTimeout(timer);
        this.record.hops['upstream.upgrade'] = Math.round(performance.now() - started);
        resolve();
      });
    });
  }

  private startRelay(): void {
    const { browser, upstream } = this;
    if (!browser || !upstream) return;
    forwardMessages(upstream, () => browser, this.options.highWaterMarkBytes, this.down);
    upstream.removeAllListeners('close');
    upstream.once('close', (code, reason) => this.upstreamClosed(code, reason.toString()));
    this.flushEarly();
    if (browser.readyState !== WebSocket.OPEN) return this.browserClosed(CloseCode.abnormal, '');
    if (this.options.lifetimeMs > 0) this.lifetime = setTimeout(() => this.end(new ProxyError('proxy.lifetime', `after ${this.options.lifetimeMs} ms`)), this.options.lifetimeMs);
  }

  /** code-server never sends a close frame (it ends TCP); the browser gets one from us instead. */
  private upstreamClosed(code: number, reason: string): void {
    this.record.closeUpstream = code;
    if (code === CloseCode.abnormal) {
      const error = this.upstreamError as NodeJS.ErrnoException | undefined;
      this.fail(error?.code === 'ECONNRESET' ? new ProxyError('upstream.reset', 'connection reset without a close frame') : new ProxyError('upstream.ended_without_close', 'the upstream ended its connection without a close frame'));
      return;
    }
    this.closeBrowser(code, reason);
    this.finish();
  }

  private browserClosed(code: number, reason: string): void {
    this.record.closeBrowser ??= code;
    const upstream = this.upstream;
    if (upstream?.readyState === WebSocket.OPEN) {
      const sent = isSendableCloseCode(code) ? code : CloseCode.goingAway;
      this.record.closeUpstream ??= sent;
      upstream.close(sent, reason);
    } else if (upstream?.readyState === WebSocket.CONNECTING) {
      upstream.terminate();
    }
    this.finish();
  }

  private fail(error: unknown): void {
    const cause = asProxyError(error);
    this.record.cause ??= cause.message;
    const code = closeCodeFor(cause);
    this.closeBrowser(code, cause.message);
    const upstream = this.upstream;
    if (upstream?.readyState === WebSocket.OPEN) {
      this.record.closeUpstream ??= CloseCode.goingAway;
      upstream.close(CloseCode.goingAway, closeReason(cause.message));
    } else if (upstream?.readyState === WebSocket.CONNECTING) {
      upstream.terminate();
    }
    this.finish();
  }

  private closeBrowser(code: number, reason: string): void {
    const browser = this.browser;
    if (!browser || browser.readyState !== WebSocket.OPEN) return;
    this.record.closeBrowser ??= isSendableCloseCode(code) ? code : CloseCode.noStatus;
    if (isSendableCloseCode(code)) browser.close(code, closeReason(reason));
    else browser.close();
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.lifetime);
    this.record.ms = Math.round(performance.now() - this.started);
    this.record.bytesUp = this.up.bytes;
    this.record.bytesDown = this.down.bytes;
    this.onEnd(this);
  }
}

function zeroMask(mask: Buffer): void {
  mask.fill(0);
}

function protocolsOf(req: IncomingMessage): string[] {
  const header = req.headers['sec-websocket-protocol'];
  return header ? header.split(',').map((p) => p.trim()).filter(Boolean) : [];
}

function upgradeFailure(error: NodeJS.ErrnoException): ProxyError {
  if (error instanceof ProxyError) return error;
  // Node's http client reports an upstream that closed before answering as ECONNRESET "socket hang up".
  if (error.message === 'socket hang up') return new ProxyError('upstream.closed_before_upgrade', 'the upstream ended the connection before answering');
  if (error.code === 'ECONNRESET') return new ProxyError('upstream.reset', 'connection reset during the upgrade');
  return new ProxyError('upstream.invalid_upgrade', error.message);
}
