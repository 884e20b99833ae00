// One WebSocket session, fixed profile. The proxy owns the browser-facing socket: it completes the
// browser's upgrade first and only then dials the upstream, so every failure after that point —
// SOCKS, the upstream's answer, an upstream that vanishes, an exception in the proxy — reaches the
// browser as a close frame with a code and a reason, never as 1006 (DESIGN.md "Close codes are
// the contract"). The steps run in order; the first that throws ends the session.
//
// Once both sides are open, frames cross unchanged (no extension is negotiated on either side,
// and both legs are client→server towards the upstream), so the proxy never unmasks or re-frames
// payloads. Towards the browser each frame goes on whole once its last byte arrived, so a close
// frame of our own always fits between two frames; towards the upstream bytes are cut-through.
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { asProxyError, CloseCode, closeCodeFor, closeReason, ProxyError } from '../errors.ts';
import { recordDialSteps, type AccessRecord } from '../log.ts';
import { SocksDialError, type SocksDialer } from '../socks/dial.ts';
import { appendParts, closeFrame, FrameSplitter, FrameTooLargeError, FrameTracker, Opcode, type Frame } from './frames.ts';
import { browserAcceptResponse, offeredProtocols, upstreamUpgrade } from './handshake.ts';
import { upstreamUpgradeHeaders } from './headers.ts';

export interface WsSessionOptions {
  dialer: SocksDialer;
  /** The upstream's base URL: host and port to dial through SOCKS. */
  upstreamUrl: URL;
  /** The request target sent upstream, byte for byte (path + the browser's query). */
  upstreamTarget: string;
  /** Deadline for the upstream's 101 once the tunnel is up, ms; 0 = none. */
  upgradeTimeoutMs: number;
  /** Session lifetime, ms; then 1001 both ways. 0 = none. */
  lifetimeMs: number;
  maxPayloadBytes: number;
  /** Bytes of browser frames queued while the upstream is being dialled before the browser is paused. */
  highWaterMarkBytes: number;
  /** After a close frame, how long the closing handshake may take before the sockets are destroyed, ms. */
  closeGraceMs: number;
  /**
   * After the upstream ends without a close frame, how long a close frame the browser may already
   * have sent is awaited before the browser gets 1014, ms (the workbench sends Disconnect, then its
   * close frame; code-server ends TCP on the Disconnect, so its end can overtake that close frame).
   */
  upstreamEndSettleMs: number;
  /** Browser sockets of ended sessions still waiting for the browser's TCP close; shutdown destroys them. */
  lingering: Set<Duplex>;
  hostRewrite: boolean;
  /** Set when the session must be refused at once (connection limit, shutdown, unconfigured route). */
  refuse?: ProxyError;
  /** Runs in the upgrade path before dialing (e.g. an auth check); what it throws ends the session with 1011. */
  beforeDial?: (req: IncomingMessage) => void | Promise<void>;
}

type Side = 'browser' | 'upstream';

export class WsSession {
  readonly record: AccessRecord;
  private readonly options: WsSessionOptions;
  private readonly onEnd: (session: WsSession) => void;
  private readonly started = performance.now();
  private browser: Duplex | undefined;
  private upstream: Duplex | undefined;
  private upstreamOpen = false;
  /** Browser frames that arrived while the upstream was being dialled (the workbench speaks first). */
  private early: Buffer[] = [];
  private readonly browserTracker: FrameTracker;
  private earlyBytes = 0;
  private readonly sentClose: Record<Side, boolean> = { browser: false, upstream: false };
  private readonly gotClose: Record<Side, boolean> = { browser: false, upstream: false };
  private upstreamError: NodeJS.ErrnoException | undefined;
  /** The browser's own close code, echoed back when the closing handshake is ours to complete. */
  private browserCloseCode: number | undefined;
  /** The upstream ended without a close frame: the browser's 1014 waits for the settle window. */
  private upstreamGone = false;
  private settle: NodeJS.Timeout | undefined;
  private lifetime: NodeJS.Timeout | undefined;
  private grace: NodeJS.Timeout | undefined;
  private ended = false;

  constructor(options: WsSessionOptions, record: AccessRecord, onEnd: (session: WsSession) => void) {
    this.options = options;
    this.record = record;
    this.onEnd = onEnd;
    this.browserTracker = new FrameTracker(options.maxPayloadBytes);
  }

  /** The ordered steps of the upgrade path. */
  async run(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    // Attached before anything can fail: an unhandled 'error' on the browser socket would crash the process.
    socket.on('error', (error) => (this.record.cause ??= `browser.error ${error.message}`));
    try {
      this.acceptBrowser(req, socket, head);
      if (this.ended) return; // not a valid upgrade: answered 400
      if (this.options.refuse) throw this.options.refuse;
      await this.options.beforeDial?.(req);
      const tunnel = await this.dialTunnel();
      if (this.ended) return void tunnel.destroy();
      this.upstream = tunnel;
      tunnel.on('error', (error: NodeJS.ErrnoException) => (this.upstreamError = error));
      const started = performance.now();
      const first = await upstreamUpgrade(tunnel, this.options.upstreamTarget, upstreamUpgradeHeaders(req, { upstreamHost: this.options.upstreamUrl.host, hostRewrite: this.options.hostRewrite }), offeredProtocols(req), this.options.upgradeTimeoutMs);
      this.record.hops['upstream.upgrade'] = Math.round(performance.now() - started);
      if (this.ended) return void tunnel.destroy();
      this.startRelay(tunnel, first);
    } catch (error) {
      this.fail(error);
    }
  }

  /** Closes both sides with `cause` (shutdown, lifetime). */
  end(cause: ProxyError): void {
    this.fail(cause);
  }

  /** Destroys both sockets at once (shutdown after the grace period). */
  destroy(): void {
    this.browser?.destroy();
    this.upstream?.destroy();
  }

  private acceptBrowser(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    let response: string;
    try {
      response = browserAcceptResponse(req);
    } catch (error) {
      socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      this.record.cause = asProxyError(error).message;
      this.finish();
      return;
    }
    this.browser = socket;
    // Small frames go out at once: the workbench's protocol is request/response over many tiny messages.
    (socket as Socket).setNoDelay?.(true);
    socket.write(response);
    const onData = (chunk: Buffer) => {
      if (this.ended) return; // the socket is drained until the browser closes TCP (closeBoth)
      try {
        this.browserBytes(chunk);
      } catch (error) {
        this.fail(error instanceof FrameTooLargeError ? new ProxyError('proxy.message_too_big', `from the browser: ${error.message}`) : error);
      }
    };
    socket.on('data', onData);
    socket.once('end', () => this.socketEnded('browser'));
    socket.once('close', () => this.socketEnded('browser'));
    if (head.length) onData(head);
    socket.resume();
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

  private startRelay(tunnel: Duplex, first: Buffer): void {
    this.upstreamOpen = true;
    const splitter = new FrameSplitter(this.options.maxPayloadBytes);
    const onData = (chunk: Buffer) => {
      try {
        this.upstreamFrames(splitter.push(chunk));
      } catch (error) {
        this.fail(error instanceof FrameTooLargeError ? new ProxyError('proxy.message_too_big', `from the upstream: ${error.message}`) : error);
      }
    };
    tunnel.on('data', onData);
    tunnel.once('end', () => this.socketEnded('upstream'));
    tunnel.once('close', () => this.socketEnded('upstream'));
    this.write(this.early.splice(0), tunnel, this.browser);
    this.earlyBytes = 0;
    if (first.length) onData(first);
    tunnel.resume();
    this.browser?.resume();
    if (this.options.lifetimeMs > 0) this.lifetime = setTimeout(() => this.end(new ProxyError('proxy.lifetime', `after ${this.options.lifetimeMs} ms`)), this.options.lifetimeMs);
  }

  /** Browser → upstream is cut-through: bytes go on as they arrive; the tracker finds the close frames. */
  private browserBytes(chunk: Buffer): void {
    const closes = this.browserTracker.push(chunk);
    if (!this.sentClose.upstream) {
      if (this.upstreamOpen && this.upstream) this.write([chunk], this.upstream, this.browser);
      else {
        this.early.push(chunk);
        this.earlyBytes += chunk.length;
        if (this.earlyBytes > this.options.highWaterMarkBytes) this.browser?.pause();
      }
    }
    for (const close of closes) {
      this.gotClose.browser = true;
      this.browserCloseCode ??= close.closeCode;
      this.record.closeBrowser ??= close.closeCode;
      if (!this.upstreamOpen) {
        // The browser left while the upstream was still being dialled: answer its close and stop.
        this.sendClose('browser', isSendable(close.closeCode) ? (close.closeCode ?? CloseCode.normal) : CloseCode.normal, '');
        this.upstream?.destroy();
        return this.closeBoth();
      }
      // The browser's answer to a close it got (from the upstream or from us): the handshake is complete.
      if (this.sentClose.browser) return this.closeBoth();
      // The upstream's end was this close's consequence (code-server ends TCP on Disconnect and on a
      // close frame): the handshake is completed with the browser's own code (closeBoth).
      if (this.upstreamGone) return this.closeBoth();
      if (!this.sentClose.upstream) {
        this.sentClose.upstream = true; // the browser's own close went through with the bytes above
        this.record.closeUpstream ??= close.closeCode;
        this.startGrace();
      }
    }
  }

  private upstreamFrames(frames: Frame[]): void {
    const batch: Buffer[] = [];
    const flush = () => {
      if (batch.length && this.browser) this.write(batch.splice(0), this.browser, this.upstream);
    };
    for (const frame of frames) {
      if (frame.opcode === Opcode.close) {
        flush();
        this.gotClose.upstream = true;
        this.record.closeUpstream ??= frame.closeCode;
        if (this.sentClose.upstream) {
          if (!this.sentClose.browser && this.browser) {
            this.write(frame.parts, this.browser, undefined);
            this.sentClose.browser = true;
          }
          return this.closeBoth();
        }
      }
      if (this.sentClose.browser || !this.browser) continue;
      appendParts(batch, frame.parts);
      if (frame.opcode === Opcode.close) {
        flush();
        this.sentClose.browser = true;
        this.record.closeBrowser ??= frame.closeCode;
        this.startGrace();
      }
    }
    flush();
  }

  /** Writes whole frames; a destination that cannot keep up pauses the source until it drains. */
  private write(parts: Buffer[], to: Duplex, from: Duplex | undefined): void {
    if (!to.writable) return;
    let written = 0;
    let ok = true;
    if (parts.length > 1) to.cork();
    for (const part of parts) {
      ok = to.write(part);
      written += part.length;
    }
    if (parts.length > 1) to.uncork();
    if (to === this.upstream) this.record.bytesUp += written;
    else this.record.bytesDown += written;
    if (!ok && from && !from.isPaused()) {
      from.pause();
      to.once('drain', () => from.resume());
    }
  }

  /** A socket ended (TCP). The upstream ending without a close frame is what code-server always does. */
  private socketEnded(side: Side): void {
    if (this.ended) return;
    if (side === 'browser') {
      this.record.closeBrowser ??= CloseCode.abnormal;
      if (this.upstreamOpen) this.sendClose('upstream', CloseCode.goingAway, 'browser.gone');
      this.closeBoth();
      return;
    }
    if (!this.upstreamOpen) return; // before the 101: the upgrade step reports it
    this.upstream?.destroy();
    // A browser paused for the upstream's backpressure would wait for a 'drain' that never comes:
    // it is read again, so a close frame it sent is seen.
    this.browser?.resume();
    // A browser already closing gets its own code back (RFC 6455 §5.5.1): the upstream's end is
    // the expected answer to its close (code-server never sends a close frame), not a failure.
    if (this.gotClose.browser) return this.closeBoth();
    if (this.upstreamGone) return; // 'close' after 'end'
    if (this.gotClose.upstream) return this.startGrace();
    this.upstreamGone = true;
    this.record.closeUpstream ??= CloseCode.abnormal;
    const cause = this.upstreamError?.code === 'ECONNRESET' ? new ProxyError('upstream.reset', 'connection reset without a close frame') : new ProxyError('upstream.ended_without_close', 'the upstream ended its connection without a close frame');
    // The browser's close frame may be on its way (the end answered its Disconnect); a browser
    // sent 1014 after its own close reports 1014 (the first close frame received wins).
    this.settle = setTimeout(() => {
      if (this.ended || this.gotClose.browser) return;
      this.record.cause ??= cause.message;
      this.sendClose('browser', cause.closeCode, cause.message);
      this.startGrace();
    }, this.options.upstreamEndSettleMs);
  }

  private fail(error: unknown): void {
    if (this.ended) return;
    const cause = asProxyError(error);
    this.record.cause ??= cause.message;
    const code = cause.code === 'proxy.message_too_big' ? CloseCode.messageTooBig : closeCodeFor(cause);
    this.sendClose('browser', code, cause.message);
    if (this.upstreamOpen) this.sendClose('upstream', CloseCode.goingAway, cause.message);
    else this.upstream?.destroy();
    if (!this.browser) return this.finish();
    if (this.gotClose.browser) this.closeBoth();
    else this.startGrace();
  }

  /** Our own close frame towards one side, once, between two frames. */
  private sendClose(side: Side, code: number, reason: string): void {
    const socket = side === 'browser' ? this.browser : this.upstream;
    if (this.sentClose[side] || !socket || !socket.writable) return;
    this.sentClose[side] = true;
    if (side === 'browser') this.record.closeBrowser ??= code;
    else this.record.closeUpstream ??= code;
    // Towards the upstream bytes are cut-through: mid-frame, a close frame cannot be inserted, and
    // ending TCP is what code-server understands anyway.
    if (side === 'browser' || this.browserTracker.atBoundary) socket.write(closeFrame(code, closeReason(reason), side === 'upstream'));
    if (side === 'upstream') socket.end();
  }

  /** The closing handshake may take closeGraceMs; then both sockets go. */
  private startGrace(): void {
    if (this.grace || this.ended) return;
    this.grace = setTimeout(() => this.closeBoth(), this.options.closeGraceMs);
  }

  private closeBoth(): void {
    if (this.ended) return;
    // Never a browser left without a close frame: one that closed first gets its own code back,
    // whichever way the session got here (upstream end, grace expired).
    if (this.gotClose.browser) this.sendClose('browser', isSendable(this.browserCloseCode) ? (this.browserCloseCode ?? CloseCode.normal) : CloseCode.normal, '');
    const upstream = this.upstream;
    if (upstream) {
      // end() flushes what is queued; destroy() after that frees the tunnel even if the upstream never answers.
      upstream.end();
      if (upstream.writableFinished) upstream.destroy();
      else upstream.once('finish', () => upstream.destroy());
    }
    const browser = this.browser;
    if (browser && !browser.destroyed) {
      // Closing a socket with unread bytes sends RST, and an RST can overtake (and discard) our close
      // frame — a 1006. So what the browser still sends is read and dropped, and the socket goes once
      // the browser closes TCP after the handshake (RFC 6455 §7.1.1), or after the grace.
      browser.resume();
      browser.end();
      const { lingering } = this.options;
      lingering.add(browser);
      const linger = setTimeout(() => browser.destroy(), this.options.closeGraceMs);
      linger.unref();
      browser.once('close', () => {
        clearTimeout(linger);
        lingering.delete(browser);
      });
    }
    this.finish();
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.lifetime);
    clearTimeout(this.grace);
    clearTimeout(this.settle);
    this.record.ms = Math.round(performance.now() - this.started);
    this.onEnd(this);
  }
}

function isSendable(code: number | undefined): boolean {
  return code !== undefined && ((code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999));
}
