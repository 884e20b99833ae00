// One WebSocket session. The proxy owns the browser-facing socket: it answers the browser's upgrade
// itself, 101 always, so every failure — SOCKS, the upstream's answer, an upstream that vanishes, an
// exception in the proxy — reaches the browser as a close frame with a code and a reason, never as
// 1006. The steps of run() go in order; the first that throws ends the session. The dial phase
// (tunnel, then the upstream's upgrade) is attempted again while the browser waits
// (./reach-upstream.ts): first with its upgrade held unanswered, up to the hold — the workbench's
// 10 s wait for its first control message has not started, its socket is still connecting — then
// answered 101, its first frames held, for the retry window. The 101 goes out as soon as the
// upstream answers, at the hold's end, or before any close frame: whichever comes first.
//
// Once both sides are open, frames cross unchanged (no extension is negotiated on either side, and
// both legs towards the upstream are client→server), so payloads are never unmasked or copied.
// Towards the browser only whole frames go out (a large one as fragments, ./frames.ts), so a close
// frame of our own always fits between two; towards the upstream bytes are cut-through once each
// frame's header has been checked (./client-frames.ts).
//
// The closing handshake is explicit state, the way `ws` keeps readyState and two flags:
//
//   opening ──upstream's 101──▶ open ──a close frame either way, a failure, an upstream end──▶ closing ──▶ closed
//      └──────────── a failure, or the browser's close or TCP end, before the 101 ────────────────────────▲
//
//   per side   closeSent      we sent that side a close frame (our own, or the other side's relayed)
//              closeReceived  that side's close code, once its close frame arrived
//
//   browser    closeSent && closeReceived → closed: the handshake is complete (RFC 6455 §7.1.2).
//              closeReceived only        → its close is relayed; the upstream's answer — a close frame,
//                                          or the TCP end code-server gives instead — is its reply,
//                                          with the browser's own code (§5.5.1).
//              closeSent only            → we wait for its reply, at most the grace; then closed.
//   upstream   code-server never sends a close frame: its TCP end stands for one, after a settle
//              window in which a browser close already on its way is still read (then 1014; a
//              workbench connection's 1014 waits until the upstream can be reached again, ./ride-out.ts).
//   closed     every timer cleared, the upstream destroyed once flushed, the browser's socket
//              drained until the browser closes TCP (an RST could overtake our close frame).
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { closeFrame } from '../../common/websocket-frame.ts';
import { asProxyError, CloseCode, ProxyError } from '../errors.ts';
import type { AccessRecord } from '../log.ts';
import type { RetryWindow } from '../retry-window.ts';
import type { Dialer } from '../socks/dial.ts';
import { ClientFrameReader, type ClientFrameSink } from './client-frames.ts';
import { FrameSplitter, FrameTooLargeError, FrameViolationError, type Frame, type FrameSink } from './frames.ts';
import { browserAcceptResponse, HandshakeError, offeredProtocols } from './handshake.ts';
import { keepBrowserAlive, type Keepalive } from './keepalive.ts';
import { withoutHandshakeHeaders } from './headers.ts';
import { reachUpstream } from './reach-upstream.ts';
import { rideOut, type RideEnd } from './ride-out.ts';
import type { UpstreamWatch } from './upstream-watch.ts';
import { isValidCloseCode } from './validation.ts';
import { TunnelReads, type RelayRead } from './tunnel-reads.ts';
import { speaksVscodeProtocol, VscodeStream } from './vscode-stream.ts';

export interface WsSessionOptions {
  dialer: Dialer;
  /** The upstream's base URL: host and port to dial through SOCKS. */
  upstreamUrl: URL;
  /** The request target sent upstream, byte for byte (path + the browser's query). */
  upstreamTarget: string;
  /** The headers of the upstream's upgrade request (HTTP policy; the handshake's own are added per hop). */
  upstreamHeaders: (req: IncomingMessage, upstreamHost: string) => OutgoingHttpHeaders;
  /** Deadline for the upstream's 101 once the tunnel is up, ms. */
  upgradeTimeoutMs: number;
  /** How long the tunnel and the upgrade are attempted again while the browser's first frames wait (./reach-upstream.ts). */
  retry: RetryWindow;
  /** Before the 101, how long the dial phase may run with the browser's upgrade unanswered, ms; the retry window follows. 0 = answer at once. */
  upgradeHoldMs: number;
  /**
   * A workbench connection whose upstream ends is kept open this long while the upstream is tried
   * again, ms (./ride-out.ts), with a KeepAlive every `keepAliveMs`; 0 = closed at once.
   */
  rideOut: { forMs: number; keepAliveMs: number; watch: UpstreamWatch };
  /** Session lifetime, ms; then 1001 both ways. 0 = none. */
  lifetimeMs: number;
  /** A ping to the browser this often while the session is open, ms (./keepalive.ts). 0 = none. */
  pingIntervalMs: number;
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
  /** Set when the session must be refused at once (connection limit, shutdown, unconfigured route). */
  refuse?: ProxyError;
  /** Runs in the upgrade path before dialing (e.g. an auth check); what it throws ends the session with 1011. */
  beforeDial?: (req: IncomingMessage) => void | Promise<void>;
}

/** Two buffers up to this size together are copied into one write rather than corked into a writev (Buffer's pool serves them). */
const copyPairBytes = 1024;

type Side = 'browser' | 'upstream';
type ReadyState = 'opening' | 'open' | 'closing' | 'closed';

/** The session is itself the sink of both frame readers and of the tunnel's reads: no adapter objects and closures per session. */
export class WsSession implements ClientFrameSink, RelayRead, FrameSink {
  readonly record: AccessRecord;
  private readonly options: WsSessionOptions;
  private readonly onEnd: (session: WsSession) => void;
  private readonly started = performance.now();
  private state: ReadyState = 'opening';
  // The closing handshake per side (the diagram above): closeSent and closeReceived of each.
  private browserCloseSent = false;
  private browserCloseReceived: number | undefined;
  private upstreamCloseSent = false;
  private upstreamCloseReceived: number | undefined;
  private browser: Duplex | undefined;
  private upstream: Duplex | undefined;
  /** The browser's frames; the session is the reader's sink. */
  private readonly reader: ClientFrameReader;
  /** The upstream's frames, once the relay starts; the session is the splitter's sink. */
  private splitter: FrameSplitter | undefined;
  /** Backpressure: the browser is paused until the upstream drains, or the upstream until the browser does. */
  private browserWaits = false;
  private upstreamWaits = false;
  /** Browser frames that arrived while the upstream was being dialled (the workbench speaks first). */
  private early: Buffer[] = [];
  private earlyBytes = 0;
  /** How the upstream's TCP connection went, when it went without a close frame. */
  private upstreamFin = false;
  private upstreamError: NodeJS.ErrnoException | undefined;
  /** The upstream ended without a close frame: the browser's 1014 waits for the settle window. */
  private upstreamGone = false;
  /** The browser sent a frame that was refused: it is not read again. */
  private browserFailed = false;
  private settle: NodeJS.Timeout | undefined;
  private lifetime: NodeJS.Timeout | undefined;
  private grace: NodeJS.Timeout | undefined;
  private keepalive: Keepalive | undefined;
  /** The browser's 101, until it is written; `hold` writes it at the hold's end. */
  private acceptance: string | undefined;
  private hold: NodeJS.Timeout | undefined;
  /** Aborted once the session fails or ends: the upstream's dial and its retries stop at once. */
  private readonly dialing = new AbortController();
  /** A workbench connection's protocol stream towards the browser, followed so that it can be ridden out; undefined for any other. */
  private readonly stream: VscodeStream | undefined;
  /** Where the upstream's reads land: buffers reused read after read, with room in front (./tunnel-reads.ts). */
  private readonly reads = new TunnelReads();

  constructor(options: WsSessionOptions, record: AccessRecord, onEnd: (session: WsSession) => void) {
    this.options = options;
    this.record = record;
    this.onEnd = onEnd;
    this.reader = new ClientFrameReader(options.maxPayloadBytes);
    if (options.rideOut.forMs > 0 && speaksVscodeProtocol(options.upstreamTarget)) this.stream = new VscodeStream();
  }

  /** The ordered steps of the upgrade path. */
  async run(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    // Attached before anything can fail: an unhandled 'error' on the browser socket would crash the process.
    socket.on('error', (error) => (this.record.cause ??= `browser.error ${error.message}`));
    try {
      if (!this.acceptBrowser(req, socket, head)) return;
      if (this.options.refuse) throw this.options.refuse;
      await this.options.beforeDial?.(req);
      if (this.state !== 'opening') return;
      const { upgradeHoldMs, retry } = this.options;
      if (upgradeHoldMs > 0) this.hold = setTimeout(() => this.answerUpgrade(), upgradeHoldMs);
      else this.answerUpgrade();
      const { tunnel, first } = await reachUpstream(
        {
          dialer: this.options.dialer,
          upstreamUrl: this.options.upstreamUrl,
          target: this.options.upstreamTarget,
          headers: withoutHandshakeHeaders(this.options.upstreamHeaders(req, this.options.upstreamUrl.host)),
          protocols: offeredProtocols(req),
          upgradeTimeoutMs: this.options.upgradeTimeoutMs,
          // One loop for both phases: the hold, then the window after the 101.
          retry: { windowMs: upgradeHoldMs + retry.windowMs, intervalMs: retry.intervalMs },
          record: this.record,
          onTunnelError: (error) => (this.upstreamError ??= error),
          reads: this.reads,
        },
        this.dialing.signal,
      );
      if (this.state !== 'opening') return void tunnel.destroy();
      this.answerUpgrade();
      this.upstream = tunnel;
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
    this.finish();
  }

  /** Takes the browser's upgrade, unanswered yet; false when it was not a valid one (answered with an HTTP error). */
  private acceptBrowser(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    let response: string;
    try {
      response = browserAcceptResponse(req);
    } catch (error) {
      socket.end(error instanceof HandshakeError ? error.response : 'HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      this.record.cause = asProxyError(error).message;
      this.finish();
      return false;
    }
    this.browser = socket;
    // Small frames go out at once: the workbench's protocol is request/response over many tiny messages.
    (socket as Socket).setNoDelay?.(true);
    this.acceptance = response;
    socket.on('data', (chunk: Buffer) => {
      // After the session, the socket is only drained until the browser closes TCP (closeBoth).
      if (this.state !== 'closed') this.reader.push(chunk, this);
    });
    socket.once('end', () => this.socketEnded('browser'));
    socket.once('close', () => this.socketEnded('browser'));
    if (head.length) this.reader.push(head, this);
    socket.resume();
    return true;
  }

  /**
   * The browser's 101, once: when the upstream answered, at the hold's end, or before our close frame.
   * Its handshake wait starts here, so the hold spends none of it.
   */
  private answerUpgrade(): void {
    clearTimeout(this.hold);
    this.hold = undefined;
    const response = this.acceptance;
    this.acceptance = undefined;
    if (response === undefined || !this.browser?.writable) return;
    this.browser.write(response);
    if (this.options.upgradeHoldMs > 0) this.record.hops['browser.held'] = Math.round(performance.now() - this.started);
  }

  private startRelay(tunnel: Duplex, first: Buffer): void {
    this.state = 'open';
    this.splitter = new FrameSplitter(this.options.maxPayloadBytes);
    // A dialer that does not read into the session's buffers hands over a tunnel read as any stream.
    if (this.reads.reads(tunnel)) this.reads.relayTo(this);
    else tunnel.on('data', (chunk: Buffer) => this.tunnelRead(chunk));
    tunnel.once('end', () => {
      this.upstreamFin = true;
      this.socketEnded('upstream');
    });
    tunnel.once('close', () => this.socketEnded('upstream'));
    // One listener each for the session's life rather than a once() per pause: pauses are frequent under load.
    tunnel.on('drain', () => {
      if (!this.browserWaits) return;
      this.browserWaits = false;
      if (!this.browserFailed) this.browser?.resume();
    });
    this.browser?.on('drain', () => {
      if (!this.upstreamWaits) return;
      this.upstreamWaits = false;
      this.upstream?.resume();
    });
    this.writeParts(this.early, tunnel, this.browser);
    this.early = [];
    this.earlyBytes = 0;
    if (first.length) this.tunnelRead(first);
    tunnel.resume();
    this.browser?.resume();
    if (this.options.lifetimeMs > 0) this.lifetime = setTimeout(() => this.end(new ProxyError('proxy.lifetime', `after ${this.options.lifetimeMs} ms`)), this.options.lifetimeMs);
    this.keepalive = keepBrowserAlive(this.options.pingIntervalMs, () => (this.state === 'open' && !this.browserCloseSent ? this.browser : undefined), this.record);
  }

  /** A read of the tunnel: its frames go on whole. `room`: the read is a reused buffer with that many bytes in front (./tunnel-reads.ts). */
  tunnelRead(chunk: Buffer, room?: number): void {
    try {
      this.splitter?.push(chunk, this, room);
    } catch (error) {
      this.fail(upstreamFrameFailure(error));
    }
  }

  /** Checked browser bytes: on to the upstream, or queued while it is dialled. */
  browserBytes(bytes: Buffer): void {
    if (this.upstreamCloseSent) return;
    if (this.state !== 'opening' && this.upstream) return this.write(bytes, this.upstream, this.browser);
    this.early.push(bytes);
    this.earlyBytes += bytes.length;
    if (this.earlyBytes > this.options.highWaterMarkBytes) this.browser?.pause();
  }

  /** The browser's close frame, checked. */
  browserClose(frame: Frame): void {
    const code = frame.closeCode ?? CloseCode.noStatus;
    this.browserCloseReceived = code;
    this.record.closeBrowser ??= code;
    if (this.state === 'opening') {
      // The browser left while the upstream was still being dialled: answer its close and stop.
      this.upstream?.destroy();
      return this.closeBoth();
    }
    if (!this.upstreamCloseSent && this.upstream) {
      this.upstreamCloseSent = true;
      this.record.closeUpstream ??= code;
      this.writeParts(frame.parts, this.upstream, undefined);
    }
    // The browser's answer to a close it got, or the upstream's end was this close's consequence
    // (code-server ends TCP on Disconnect and on a close frame): the handshake is complete.
    if (this.browserCloseSent || this.upstreamGone) return this.closeBoth();
    this.state = 'closing';
    this.startGrace();
  }

  /**
   * A browser frame RFC 6455 does not allow, or over the size limit: none of it
   * went upstream. The connection is failed (§7.1.7): our close frame goes out, and the browser is
   * not read any more — what it still sends (the rest of a 64 MiB frame) would only be read to be
   * dropped — until the grace ends and its socket is destroyed.
   */
  browserRefused(error: FrameViolationError | FrameTooLargeError): void {
    this.browserFailed = true;
    if (error instanceof FrameTooLargeError) this.fail(new ProxyError('proxy.message_too_big', `from the browser: ${error.message}`));
    else this.fail(new ProxyError(error.closeCode === CloseCode.invalidPayload ? 'browser.invalid_payload' : 'browser.protocol_error', error.message));
    this.browser?.pause();
  }

  /** The upstream's whole frames in one buffer — the usual case — on to the browser unless it has had its close frame. */
  upstreamBytes(bytes: Buffer): void {
    const browser = this.browser;
    if (this.browserCloseSent || !browser) return;
    this.stream?.push(bytes);
    this.writeDown(bytes, browser, this.upstream);
  }

  /** The upstream's whole frames in two buffers, on to the browser unless it has had its close frame. */
  upstreamPair(first: Buffer, second: Buffer): void {
    if (this.browserCloseSent || !this.browser) return;
    this.stream?.push(first);
    this.stream?.push(second);
    this.writePair(first, second, this.browser, this.upstream);
  }

  /** The same in more buffers. */
  upstreamParts(parts: Buffer[]): void {
    if (this.browserCloseSent || !this.browser) return;
    if (this.stream) for (let i = 0; i < parts.length; i++) this.stream.push(parts[i] as Buffer);
    this.writeParts(parts, this.browser, this.upstream);
  }

  /** The upstream's close frame, checked. */
  upstreamClose(frame: Frame): void {
    this.upstreamCloseReceived = frame.closeCode;
    this.record.closeUpstream ??= frame.closeCode;
    if (this.upstreamCloseSent) {
      // The upstream's answer to the browser's close: relayed if the browser has had none, then done.
      if (!this.browserCloseSent && this.browser) {
        this.browserCloseSent = true;
        this.writeParts(frame.parts, this.browser, undefined);
      }
      return this.closeBoth();
    }
    if (this.browserCloseSent || !this.browser) return;
    this.writeParts(frame.parts, this.browser, this.upstream);
    this.browserCloseSent = true;
    this.record.closeBrowser ??= frame.closeCode;
    this.state = 'closing';
    this.startGrace();
  }

  /** Writes bytes; a destination that cannot keep up pauses the source until it drains. */
  private write(bytes: Buffer, to: Duplex, from: Duplex | undefined): void {
    if (to === this.browser) return this.writeDown(bytes, to, from);
    if (!to.writable) return;
    this.record.bytesUp += bytes.length;
    if (!to.write(bytes) && from) this.pauseBrowser(from);
  }

  /** Towards the browser the bytes may be a view of the tunnel's read buffer, reused after this read (./tunnel-reads.ts). */
  private writeDown(bytes: Buffer, browser: Duplex, from: Duplex | undefined): void {
    if (!browser.writable) return;
    const queued = browser.writableLength !== 0;
    const ok = browser.write(this.reads.keep(bytes, queued));
    if (!queued && browser.writableLength !== 0) this.reads.lend();
    this.record.bytesDown += bytes.length;
    if (!ok && from) this.pauseUpstream(from);
  }

  /**
   * Two buffers in one go: copied into one when small (a fragment header and the last few bytes of
   * a large frame — a corked writev allocates about half a kilobyte of stream bookkeeping), else one writev.
   */
  private writePair(first: Buffer, second: Buffer, to: Duplex, from: Duplex | undefined): void {
    if (first.length + second.length <= copyPairBytes) return this.write(Buffer.concat([first, second], first.length + second.length), to, from);
    if (!to.writable) return;
    const queued = to.writableLength > 0;
    to.cork();
    to.write(this.reads.keep(first, queued));
    to.write(this.reads.keep(second, queued));
    to.uncork();
    if (!queued && to.writableLength > 0) this.reads.lend();
    this.written(first.length + second.length, to.writableLength < to.writableHighWaterMark, to, from);
  }

  /** Writes whole frames in one go (one writev when there are several buffers). */
  private writeParts(parts: readonly Buffer[], to: Duplex, from: Duplex | undefined): void {
    if (parts.length === 1 && parts[0]) return this.write(parts[0], to, from);
    if (!to.writable || parts.length === 0) return;
    let bytes = 0;
    const queued = to.writableLength > 0;
    to.cork();
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i] as Buffer;
      to.write(this.reads.keep(part, queued));
      bytes += part.length;
    }
    to.uncork();
    if (!queued && to.writableLength > 0) this.reads.lend();
    // While corked every write() reports the whole batch as queued; what counts is what is still
    // queued once the batch went to the socket (usually nothing).
    this.written(bytes, to.writableLength < to.writableHighWaterMark, to, from);
  }

  private written(bytes: number, ok: boolean, to: Duplex, from: Duplex | undefined): void {
    if (to === this.upstream) this.record.bytesUp += bytes;
    else this.record.bytesDown += bytes;
    if (ok || !from) return;
    if (from === this.browser) this.pauseBrowser(from);
    else this.pauseUpstream(from);
  }

  /** The upstream cannot keep up: the browser waits for its 'drain'. */
  private pauseBrowser(browser: Duplex): void {
    if (browser.isPaused()) return;
    browser.pause();
    this.browserWaits = true;
  }

  /** The browser cannot keep up: the upstream waits for its 'drain'. */
  private pauseUpstream(upstream: Duplex): void {
    if (upstream.isPaused()) return;
    upstream.pause();
    this.upstreamWaits = true;
  }

  /** A socket ended (TCP). The upstream ending without a close frame is what code-server always does. */
  private socketEnded(side: Side): void {
    if (this.state === 'closed') return;
    if (side === 'browser') {
      this.record.closeBrowser ??= CloseCode.abnormal;
      if (this.state !== 'opening') this.sendClose('upstream', CloseCode.goingAway, 'browser.gone');
      this.closeBoth();
      return;
    }
    if (this.state === 'opening') return; // before the 101: the upgrade step reports it
    this.upstream?.destroy();
    // A browser paused for the upstream's backpressure would wait for a 'drain' that never comes:
    // it is read again, so a close frame it sent is seen.
    if (!this.browserFailed) this.browser?.resume();
    // A browser already closing gets its own code back (RFC 6455 §5.5.1): the upstream's end is
    // the expected answer to its close (code-server never sends a close frame), not a failure.
    if (this.browserCloseReceived !== undefined) return this.closeBoth();
    if (this.upstreamGone) return; // 'close' after 'end'
    if (this.upstreamCloseReceived !== undefined) return this.startGrace();
    this.upstreamGone = true;
    this.state = 'closing';
    this.record.closeUpstream ??= CloseCode.abnormal;
    // A FIN is code-server's ordinary end; an error with no FIN before it (ECONNRESET on a read,
    // EPIPE on a write) is a reset of the tunnel, whichever of the two the kernel reported.
    const cause = !this.upstreamFin && this.upstreamError ? new ProxyError('upstream.reset', `connection reset without a close frame (${this.upstreamError.code ?? this.upstreamError.message})`) : new ProxyError('upstream.ended_without_close', 'the upstream ended its connection without a close frame');
    // The browser's close frame may be on its way (the end answered its Disconnect); a browser
    // sent 1014 after its own close reports 1014 (the first close frame received wins).
    this.settle = setTimeout(() => {
      if (this.state === 'closed' || this.browserCloseReceived !== undefined) return;
      this.record.cause ??= cause.message;
      if (this.stream?.atBoundary && this.browser) return void this.rideOut(this.browser, cause);
      this.sendClose('browser', cause.closeCode, cause.message);
      this.startGrace();
    }, this.options.upstreamEndSettleMs);
  }

  /**
   * The upstream of a workbench connection is gone: the browser is kept until the upstream can be
   * reached again (or the ride's window ends), then closed with the cause, so that the workbench's
   * reconnection — which starts with no pause — finds the upstream there.
   */
  private async rideOut(browser: Duplex, cause: ProxyError): Promise<void> {
    const { forMs, keepAliveMs, watch } = this.options.rideOut;
    let ride: RideEnd;
    try {
      ride = await rideOut({ watch, upstreamUrl: this.options.upstreamUrl, windowMs: forMs, keepAliveMs }, browser, this.dialing.signal);
    } catch (error) {
      // Aborted: the session ended meanwhile, and said why. Anything else is ours: 1011.
      if (!this.dialing.signal.aborted) this.fail(error);
      return;
    }
    if (this.state === 'closed' || this.browserCloseReceived !== undefined) return;
    this.record.hops['upstream.ride_out'] = ride.ms;
    const ended = new ProxyError(cause.code, `${cause.detail}; kept ${ride.ms} ms, ${ride.reachable ? 'reachable again' : 'still unreachable'}`);
    this.sendClose('browser', ended.closeCode, ended.message);
    this.startGrace();
  }

  private fail(error: unknown): void {
    if (this.state === 'closed') return;
    this.dialing.abort();
    const cause = asProxyError(error);
    this.record.cause ??= cause.message;
    this.sendClose('browser', cause.closeCode, cause.message);
    if (this.state !== 'opening') this.sendClose('upstream', cause.code === 'upstream.protocol_error' ? CloseCode.protocolError : CloseCode.goingAway, cause.message);
    else this.upstream?.destroy();
    if (!this.browser) return this.finish();
    this.state = 'closing';
    if (this.browserCloseReceived !== undefined) this.closeBoth();
    else this.startGrace();
  }

  /** Our own close frame towards one side, once, between two frames. */
  private sendClose(side: Side, code: number, reason: string): void {
    const socket = side === 'browser' ? this.browser : this.upstream;
    if ((side === 'browser' ? this.browserCloseSent : this.upstreamCloseSent) || !socket || !socket.writable) return;
    // Never a refused upgrade, never a frame before the 101: a browser still held gets its 101 first.
    if (side === 'browser') this.answerUpgrade();
    if (side === 'browser') this.browserCloseSent = true;
    else this.upstreamCloseSent = true;
    if (side === 'browser') this.record.closeBrowser ??= code;
    else this.record.closeUpstream ??= code;
    // Towards the upstream bytes are cut-through: mid-frame, a close frame cannot be inserted, and
    // ending TCP is what code-server understands anyway.
    if (side === 'browser' || this.reader.atBoundary) socket.write(closeFrame(code, reason, side === 'upstream'));
    if (side === 'upstream') socket.end();
  }

  /** The closing handshake may take closeGraceMs; then both sockets go. */
  private startGrace(): void {
    if (this.grace || this.state === 'closed') return;
    this.grace = setTimeout(() => this.closeBoth(), this.options.closeGraceMs);
  }

  private closeBoth(): void {
    if (this.state === 'closed') return;
    // Never a browser left without a close frame: one that closed first gets its own code back,
    // whichever way the session got here (upstream end, grace expired).
    const browserCode = this.browserCloseReceived;
    if (browserCode !== undefined) this.sendClose('browser', isValidCloseCode(browserCode) ? browserCode : CloseCode.normal, '');
    const upstream = this.upstream;
    if (upstream) {
      // end() flushes what is queued; destroy() after that frees the tunnel even if the upstream never answers.
      upstream.end();
      if (upstream.writableFinished) upstream.destroy();
      else upstream.once('finish', () => upstream.destroy());
    }
    const browser = this.browser;
    if (browser && this.browserFailed) browser.destroy();
    else if (browser && !browser.destroyed) {
      // Closing a socket with unread bytes sends RST, and an RST can overtake (and discard) our close
      // frame — a 1006. So what the browser still sends is read and dropped, and the socket goes once
      // the browser closes TCP after the handshake (RFC 6455 §7.1.1), or after the grace.
      browser.resume();
      browser.end();
      const { lingering } = this.options;
      lingering.add(browser);
      const linger = setTimeout(() => browser.destroy(), this.options.closeGraceMs);
      browser.once('close', () => {
        clearTimeout(linger);
        lingering.delete(browser);
      });
    }
    this.finish();
  }

  private finish(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.dialing.abort();
    clearTimeout(this.hold);
    clearTimeout(this.lifetime);
    clearTimeout(this.grace);
    clearTimeout(this.settle);
    this.keepalive?.stop();
    this.early = [];
    this.record.ms = Math.round(performance.now() - this.started);
    this.onEnd(this);
  }
}

/** What the upstream's frames did wrong, as a cause: too big for the limit, or not allowed by RFC 6455. */
function upstreamFrameFailure(error: unknown): unknown {
  if (error instanceof FrameTooLargeError) return new ProxyError('proxy.message_too_big', `from the upstream: ${error.message}`);
  if (error instanceof FrameViolationError) return new ProxyError('upstream.protocol_error', error.message);
  return error;
}
