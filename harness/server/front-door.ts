// The hop in front of the proxy, as Cloud Run's front end is: the page and the proxy share this
// origin (the workbench opens its WebSockets on the page's origin), HTTP is streamed through and
// an upgrade is relayed as raw bytes, so whatever the proxy does — a close frame, or a socket
// that just ends — reaches the browser unchanged. It also carries the platform's two deadlines.
import { Agent, request } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { MESSAGE_TOO_BIG, MessageSizeLimit, closeFrame } from './message-limit.ts';

export interface FrontDoorOptions {
  /** An upgrade the proxy leaves unanswered this long (ms) is dropped: a 1006 in the browser. */
  openTimeoutMs: number;
  /** Cloud Run's request timeout (ms): every request, WebSockets included, is cut at it. 0 = none. */
  requestTimeoutMs: number;
  /** A per-message limit on the browser's WebSocket messages (bytes), as the seed's python hop had; 0 = none. */
  maxMessageBytes: number;
}

export interface Target {
  host: string;
  port: number;
}

/** How the proxy answered an upgrade: its status line, or how the connection ended without one. */
export type UpgradeAnswer = { path: string; status?: number; line: string };

export class FrontDoor {
  private target: Target | null = null;
  /** Called once per upgrade with the proxy's answer. */
  onUpgradeAnswer: (answer: UpgradeAnswer) => void = () => undefined;
  private readonly open = new Set<Duplex>();
  private readonly agent = new Agent({ keepAlive: false });

  constructor(private options: FrontDoorOptions) {}

  setTarget(target: Target | null): void {
    this.target = target;
  }

  setOptions(options: Partial<FrontDoorOptions>): void {
    this.options = { ...this.options, ...options };
  }

  /** Sockets relayed right now (browser side). */
  get connections(): number {
    return this.open.size;
  }

  forwardRequest(req: IncomingMessage, res: ServerResponse): void {
    const target = this.target;
    if (!target) {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('front door: no proxy running\n');
      return;
    }
    const upstream = request({ ...target, agent: this.agent, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
      answer.pipe(res);
    });
    const cut = this.deadline(() => upstream.destroy(new Error('platform request timeout')));
    upstream.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' }).end(`front door: proxy unreachable: ${err.message}\n`);
      else res.destroy();
    });
    res.on('close', () => {
      clearTimeout(cut);
      upstream.destroy();
    });
    req.pipe(upstream);
  }

  forwardUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const target = this.target;
    socket.on('error', () => socket.destroy());
    if (!target) return void socket.destroy();
    this.open.add(socket);
    const upstream = connect(target.port, target.host);
    // Both deadlines drop the browser's socket without a close frame, as the real hop does.
    const drop = (): void => {
      upstream.destroy();
      socket.destroy();
    };
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    let answered = false;
    const answer = (line: string): void => {
      if (answered) return;
      answered = true;
      const status = /^HTTP\/1\.1 (\d{3})/.exec(line)?.[1];
      this.onUpgradeAnswer({ path, status: status ? Number(status) : undefined, line });
    };
    const openTimeoutMs = this.options.openTimeoutMs;
    const unanswered = setTimeout(() => {
      answer(`no answer within the front end's ${openTimeoutMs} ms open timeout`);
      drop();
    }, openTimeoutMs);
    const cut = this.deadline(drop);
    let limit: MessageSizeLimit | undefined;
    const relayUp = (chunk: Buffer): void => {
      if (limit && !limit.accept(chunk)) {
        socket.off('data', relayUp);
        socket.end(closeFrame(MESSAGE_TOO_BIG, `message over ${limit.maxMessageBytes} bytes`));
        upstream.destroy();
        return;
      }
      if (!upstream.write(chunk)) socket.pause();
    };
    upstream.on('drain', () => socket.resume());
    upstream.on('connect', () => {
      upstream.write(rawHead(req));
      if (head.length > 0) upstream.write(head);
      socket.on('data', relayUp);
      socket.on('end', () => upstream.end());
    });
    upstream.once('data', (first: Buffer) => {
      clearTimeout(unanswered);
      const statusLine = first.subarray(0, Math.max(0, first.indexOf('\r\n'))).toString('latin1');
      answer(statusLine || 'bytes without a status line');
      const max = this.options.maxMessageBytes;
      if (max > 0 && statusLine.startsWith('HTTP/1.1 101')) limit = new MessageSizeLimit(max);
    });
    socket.once('close', () => answer('no answer: the browser went away first'));
    // A clean end (FIN) is passed on by pipe() after the bytes before it — the proxy's close
    // frame included; an error (RST, refused) drops the browser's socket.
    upstream.pipe(socket);
    upstream.on('error', drop);
    upstream.on('close', (hadError) => {
      answer(hadError ? 'no answer: the connection to the proxy failed' : 'no answer: the proxy closed the connection');
      if (hadError) drop();
      else socket.end();
    });
    socket.on('close', () => {
      clearTimeout(unanswered);
      clearTimeout(cut);
      upstream.destroy();
      this.open.delete(socket);
    });
  }

  /** Ends every relayed socket at once (a stopping stack). */
  closeAll(): void {
    for (const socket of this.open) socket.destroy();
    this.open.clear();
    this.agent.destroy();
  }

  private deadline(fire: () => void): NodeJS.Timeout | undefined {
    return this.options.requestTimeoutMs > 0 ? setTimeout(fire, this.options.requestTimeoutMs) : undefined;
  }
}

/** The request line and headers exactly as the browser sent them (order and case kept). */
export function rawHead(req: IncomingMessage): string {
  const lines = [`${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/${req.httpVersion}`];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
  return lines.join('\r\n') + '\r\n\r\n';
}
