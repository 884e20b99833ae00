// A WebSocket upgrade over a socket the doctor holds, sent as a browser sends it (Origin of the
// page, the Sec-WebSocket-* headers, permessage-deflate offered), with the request and response
// heads kept as they crossed the wire.
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import { USER_AGENT, watchEnd } from './http-check.ts';

export interface WsClose {
  code: number;
  reason: string;
  /** ms since the upgrade request was sent. */
  at: number;
}

export type UpgradeOutcome =
  | { kind: 'open'; ws: WebSocket; closed: Promise<WsClose>; firstMessage: Promise<Buffer>; requestHead: string; responseHead: string; ms: number }
  | { kind: 'refused'; status: number; responseHead: string; body: string; requestHead: string; ms: number }
  | { kind: 'timeout' | 'reset' | 'closed' | 'error'; detail: string; requestHead: string; received: Buffer; ms: number };

/** The bytes the socket writes until the end of the HTTP head (the upgrade request as sent). */
function recordRequestHead(socket: Socket): () => string {
  let head = '';
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  socket.write = ((chunk: unknown, ...rest: unknown[]) => {
    if (!head.includes('\r\n\r\n') && (typeof chunk === 'string' || Buffer.isBuffer(chunk))) head += chunk.toString();
    return write(chunk, ...rest);
  }) as Socket['write'];
  return () => head.split('\r\n\r\n')[0] ?? '';
}

function headOf(bytes: Buffer): string {
  return bytes.toString('latin1').split('\r\n\r\n')[0] ?? '';
}

export function upgrade(socket: Socket, url: URL, origin: string, timeoutMs: number): Promise<UpgradeOutcome> {
  const started = performance.now();
  const ms = () => Math.round((performance.now() - started) * 10) / 10;
  const requestHead = recordRequestHead(socket);
  const watch = watchEnd(socket, 4096);
  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome: UpgradeOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    // ws's own handshakeTimeout is an idle timer on a socket it dials itself; this one is the step's deadline.
    const timer = setTimeout(() => {
      settle({ kind: 'timeout', detail: `no 101 within ${timeoutMs} ms`, requestHead: requestHead(), received: watch.received(), ms: ms() });
      ws.terminate();
      socket.destroy();
    }, timeoutMs);
    const ws = new WebSocket(url, {
      createConnection: () => socket,
      headers: { Origin: origin, 'User-Agent': USER_AGENT },
    });
    // Registered before anything can close it: a proxy that closes right after its 101 is seen too.
    const closed = new Promise<WsClose>((resolveClose) => ws.once('close', (code: number, reason: Buffer) => resolveClose({ code, reason: reason.toString('utf8'), at: ms() })));
    // A server that speaks first (the terminal's greeting) may send in the same read as its 101.
    const firstMessage = new Promise<Buffer>((resolveMessage) => ws.once('message', (data: Buffer) => resolveMessage(data)));
    ws.on('open', () => settle({ kind: 'open', ws, closed, firstMessage, requestHead: requestHead(), responseHead: headOf(watch.received()), ms: ms() }));
    ws.on('unexpected-response', (_req, res) => {
      const body: Buffer[] = [];
      res.on('data', (chunk: Buffer) => body.push(chunk));
      const done = () => {
        settle({ kind: 'refused', status: res.statusCode ?? 0, responseHead: headOf(watch.received()), body: Buffer.concat(body).toString('utf8').slice(0, 300), requestHead: requestHead(), ms: ms() });
        socket.destroy();
      };
      res.on('end', done);
      res.on('error', done);
      res.on('aborted', done);
    });
    ws.on('error', (error: NodeJS.ErrnoException) => {
      const ended = watch.ended();
      const kind = ended === 'RST' ? 'reset' : ended === 'FIN' || error.code === 'ECONNRESET' ? 'closed' : 'error';
      const detail = kind === 'reset' ? 'connection reset (RST) before a 101' : kind === 'closed' ? `connection closed after ${watch.received().length} bytes, before a 101` : error.message;
      settle({ kind, detail, requestHead: requestHead(), received: watch.received(), ms: ms() });
      socket.destroy();
    });
  });
}

/** Closes from this side with 1000 (unless the other side already closed) and resolves with the close the socket ended with. */
export async function closeAndWait(ws: WebSocket, closed: Promise<WsClose>, timeoutMs: number): Promise<WsClose> {
  if (ws.readyState === WebSocket.OPEN) ws.close(1000, 'doctor done');
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<WsClose>((resolve) => {
    timer = setTimeout(() => {
      ws.terminate();
      resolve({ code: 1006, reason: `no closing handshake within ${timeoutMs} ms`, at: Number.NaN });
    }, timeoutMs);
  });
  try {
    return await Promise.race([closed, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
