// One upgrade through the front door, relayed to the proxy as raw bytes: the request as the faults
// left it, then whatever the proxy answers — a close frame, or a socket that just ends — reaches the
// browser as the proxy sent it. Once the proxy answered 101 the relay is a Link: the faults' taps
// see every byte, and a fault may drop it or close it at a frame boundary.
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { closeFrame } from '../../common/websocket-frame.ts';
import { FrameWatch } from './frame-watch.ts';
import type { HopFault, Link, LinkTap, UpgradeRequest } from './front/fault.ts';
import { MessageSizeLimit } from './message-limit.ts';
import { CloseCode } from '../../common/close-codes.ts';

export interface Target {
  host: string;
  port: number;
}

/** How the proxy answered an upgrade: its status line, or how the connection ended without one; `own`: the hop in front answered it itself. */
export type UpgradeAnswer = { path: string; status?: number; line: string; own?: true };

export interface RelaySettings {
  /** An upgrade the proxy leaves unanswered this long (ms) is dropped: a 1006 in the browser. */
  openTimeoutMs: number;
  /** Cloud Run's request timeout (ms): every request, WebSockets included, is cut at it. 0 = none. */
  requestTimeoutMs: number;
  /** A per-message limit on the browser's WebSocket messages (bytes), as the seed's python hop had; 0 = none. */
  maxMessageBytes: number;
}

export interface RelayHooks {
  answered(answer: UpgradeAnswer): void;
  linked(link: Link): void;
  unlinked(link: Link): void;
  name(cause: string): void;
}

/** After the hop's own close frame, how long the browser has to answer it and close TCP. */
const goAwayGraceMs = 1000;
/** A 101 head longer than this is not one. */
const maxHeadBytes = 64 * 1024;

/** The request line and headers as they will be forwarded. */
export function rawRequest(request: UpgradeRequest): string {
  return [`${request.method} ${request.target} HTTP/${request.version}`, ...request.headers.map(([name, value]) => `${name}: ${value}`)].join('\r\n') + '\r\n\r\n';
}

export class UpgradeRelay implements Link {
  readonly path: string;
  private readonly proxy: Socket;
  private taps: LinkTap[] = [];
  private limit: MessageSizeLimit | undefined;
  private readonly towardsBrowser = new FrameWatch();
  private head: Buffer | undefined = Buffer.alloc(0);
  private isLink = false;
  private answeredOnce = false;
  /** The hop's close frame, waiting for the next frame boundary towards the browser. */
  private pendingClose: Uint8Array | undefined;
  private goingAway = false;
  /** The front end's open timeout: cleared by the proxy's first answer. */
  private readonly unanswered: NodeJS.Timeout;
  private readonly timers: (NodeJS.Timeout | undefined)[] = [];

  constructor(
    readonly number: number,
    private readonly browser: Duplex,
    request: UpgradeRequest,
    head: Buffer,
    target: Target,
    private readonly faults: readonly HopFault[],
    private readonly settings: RelaySettings,
    private readonly hooks: RelayHooks,
  ) {
    this.path = request.target.split('?')[0] ?? '/';
    this.proxy = connect(target.port, target.host);
    const { openTimeoutMs, requestTimeoutMs } = settings;
    // Both deadlines drop the browser's socket without a close frame, as the real hop does.
    this.unanswered = setTimeout(() => {
      this.answer(`no answer within the front end's ${openTimeoutMs} ms open timeout`);
      this.drop();
    }, openTimeoutMs);
    this.timers.push(this.unanswered);
    if (requestTimeoutMs > 0) this.timers.push(setTimeout(() => this.drop(), requestTimeoutMs));
    this.proxy.on('connect', () => {
      this.proxy.write(rawRequest(request));
      if (head.length > 0) this.proxy.write(head);
      browser.on('data', this.toProxy);
      browser.on('end', () => this.proxy.end());
    });
    this.proxy.on('data', this.fromProxy);
    this.proxy.on('drain', () => browser.resume());
    browser.on('drain', () => this.proxy.resume());
    this.proxy.on('end', () => {
      if (!this.goingAway) browser.end();
    });
    this.proxy.on('error', () => this.drop());
    this.proxy.on('close', (hadError) => {
      this.answer(hadError ? 'no answer: the connection to the proxy failed' : 'no answer: the proxy closed the connection');
      // A clean end (FIN) goes on after the bytes before it — the proxy's close frame included; an error (RST, refused) drops the browser's socket.
      if (hadError) this.drop();
      else if (!this.goingAway) browser.end();
      // The hop's own close frame still waits for a boundary that will not come: now, or never.
      else if (this.pendingClose) {
        if (this.towardsBrowser.atBoundary) this.sendPendingClose();
        else this.drop();
      }
    });
    browser.once('close', () => {
      this.answer('no answer: the browser went away first');
      for (const timer of this.timers) clearTimeout(timer);
      this.proxy.destroy();
      for (const tap of this.taps) tap.end?.();
      if (this.isLink) hooks.unlinked(this);
    });
  }

  drop(): void {
    this.proxy.destroy();
    this.browser.destroy();
  }

  goAway(code: number, reason: string): void {
    if (this.goingAway || this.browser.destroyed) return;
    this.goingAway = true;
    this.pendingClose = closeFrame(code, reason, false);
    this.proxy.end();
    if (this.towardsBrowser.atBoundary) this.sendPendingClose();
  }

  name(cause: string): void {
    this.hooks.name(cause);
  }

  private answer(line: string): void {
    if (this.answeredOnce) return;
    this.answeredOnce = true;
    const status = /^HTTP\/1\.[01] (\d{3})/.exec(line)?.[1];
    this.hooks.answered({ path: this.path, status: status ? Number(status) : undefined, line });
  }

  private readonly toProxy = (chunk: Buffer): void => {
    // After the hop's own close frame, the browser's answer to it goes no further.
    if (this.goingAway) return;
    if (this.limit && !this.limit.accept(chunk)) {
      this.browser.off('data', this.toProxy);
      this.browser.end(closeFrame(CloseCode.messageTooBig, `message over ${this.limit.maxMessageBytes} bytes`, false));
      this.proxy.destroy();
      return;
    }
    for (const tap of this.taps) tap.toProxy?.(chunk);
    if (!this.proxy.write(chunk)) this.browser.pause();
  };

  private readonly fromProxy = (chunk: Buffer): void => {
    if (this.head) return this.readHead(chunk);
    if (!this.isLink) return this.toBrowser(chunk);
    for (const tap of this.taps) tap.toBrowser?.(chunk);
    if (this.pendingClose) return this.writeUpToBoundary(chunk);
    this.towardsBrowser.scan(chunk);
    this.toBrowser(chunk);
  };

  /** The proxy's answer: its status line is logged; after a 101, frames follow and the relay becomes a link. */
  private readHead(chunk: Buffer): void {
    const head: Buffer = Buffer.concat([this.head ?? Buffer.alloc(0), chunk]);
    const lineEnd = head.indexOf('\r\n');
    if (lineEnd < 0 && head.length < maxHeadBytes) return void (this.head = head);
    const line = lineEnd > 0 ? head.subarray(0, lineEnd).toString('latin1') : '';
    clearTimeout(this.unanswered);
    this.answer(line || 'bytes without a status line');
    const end = head.indexOf('\r\n\r\n');
    if (!/^HTTP\/1\.1 101 /.test(line) || (end < 0 && head.length > maxHeadBytes)) {
      // Not a WebSocket: passed on as it comes.
      this.head = undefined;
      return this.toBrowser(head);
    }
    if (end < 0) return void (this.head = head);
    this.head = undefined;
    this.toBrowser(head.subarray(0, end + 4));
    this.becomeLink();
    if (head.length > end + 4) this.fromProxy(head.subarray(end + 4));
  }

  private becomeLink(): void {
    this.isLink = true;
    if (this.settings.maxMessageBytes > 0) this.limit = new MessageSizeLimit(this.settings.maxMessageBytes);
    this.hooks.linked(this);
    this.taps = this.faults.map((fault) => fault.relay?.(this)).filter((tap): tap is LinkTap => tap !== undefined);
  }

  /** Waiting to close: the bytes of the frame in progress go on, then the close frame instead of the next one. */
  private writeUpToBoundary(chunk: Buffer): void {
    let cut = -1;
    this.towardsBrowser.scan(chunk, {
      start: (offset) => {
        if (cut < 0) cut = offset;
      },
    });
    if (cut < 0) return this.toBrowser(chunk);
    this.toBrowser(chunk.subarray(0, cut));
    this.sendPendingClose();
  }

  private sendPendingClose(): void {
    const frame = this.pendingClose;
    if (!frame) return;
    this.pendingClose = undefined;
    this.proxy.off('data', this.fromProxy);
    // The browser answers with its own close and closes TCP; reading on keeps an RST from overtaking the frame.
    this.browser.end(frame);
    this.timers.push(setTimeout(() => this.browser.destroy(), goAwayGraceMs));
  }

  private toBrowser(bytes: Buffer): void {
    if (bytes.length > 0 && !this.browser.write(bytes)) this.proxy.pause();
  }
}
