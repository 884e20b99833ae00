// One HTTP exchange over a socket the doctor already holds (a SOCKS tunnel, or a direct
// connection to a proxy), with a deadline, and with how it ended when it did not answer: a reset
// (RST), a close (FIN) before or during the answer, silence, or bytes that are not HTTP.
import { request, type IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

export interface HttpAnswer {
  status: number;
  statusText: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export type HttpFailure = 'timeout' | 'reset' | 'closed' | 'not-http' | 'error';

export type HttpOutcome =
  | { kind: 'answer'; answer: HttpAnswer; ms: number }
  | { kind: HttpFailure; detail: string; received: Buffer; ms: number };

export const USER_AGENT = 'tailnet-harness-doctor';

/** The socket as the URL's scheme needs it: TLS on top for https/wss. */
export function secure(socket: Socket, url: URL): Socket {
  if (url.protocol !== 'https:' && url.protocol !== 'wss:') return socket;
  return tlsConnect({ socket, servername: url.hostname, ALPNProtocols: ['http/1.1'] });
}

/** Watches a socket's own end: an RST and a FIN look alike to an HTTP client ("socket hang up"). */
export function watchEnd(socket: Socket, keepBytes = 512): { ended(): 'RST' | 'FIN' | undefined; received(): Buffer } {
  let ending: 'RST' | 'FIN' | undefined;
  const kept: Buffer[] = [];
  let size = 0;
  socket.on('data', (chunk: Buffer) => {
    if (size >= keepBytes) return;
    kept.push(chunk.subarray(0, keepBytes - size));
    size += Math.min(chunk.length, keepBytes - size);
  });
  socket.on('end', () => (ending ??= 'FIN'));
  socket.on('error', (error: NodeJS.ErrnoException) => (ending ??= error.code === 'ECONNRESET' ? 'RST' : undefined));
  return { ended: () => ending, received: () => Buffer.concat(kept) };
}

/** GET `path` of `url`'s origin over `socket`; the body is kept up to `maxBodyBytes`. */
export function httpGet(socket: Socket, url: URL, timeoutMs: number, maxBodyBytes = 256 * 1024): Promise<HttpOutcome> {
  const started = performance.now();
  const ms = () => Math.round((performance.now() - started) * 10) / 10;
  const watch = watchEnd(socket);
  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome: HttpOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const failed = (kind: HttpFailure, detail: string) => settle({ kind, detail, received: watch.received(), ms: ms() });
    const timer = setTimeout(() => failed('timeout', `no answer within ${timeoutMs} ms`), timeoutMs);
    const req = request({
      createConnection: () => socket,
      host: url.hostname,
      port: url.port,
      path: url.pathname + url.search,
      method: 'GET',
      // keep-alive, as a browser: an upstream that closes after answering would hide a tunnel that drops data.
      headers: { host: url.host, 'user-agent': USER_AGENT, accept: '*/*', connection: 'keep-alive' },
    });
    req.on('response', (res) => {
      const body: Buffer[] = [];
      let size = 0;
      const answer = () => ({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', headers: res.headers, body: Buffer.concat(body) });
      res.on('data', (chunk: Buffer) => {
        if (size < maxBodyBytes) body.push(chunk);
        size += chunk.length;
      });
      res.on('end', () => settle({ kind: 'answer', answer: answer(), ms: ms() }));
      res.on('aborted', () => failed(watch.ended() === 'RST' ? 'reset' : 'closed', `the connection ended after ${size} bytes of the body (HTTP ${res.statusCode})`));
      res.on('error', () => failed(watch.ended() === 'RST' ? 'reset' : 'closed', `the connection ended after ${size} bytes of the body (HTTP ${res.statusCode})`));
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      const ended = watch.ended();
      if (ended === 'RST') return failed('reset', 'connection reset (RST) before an answer');
      if (error.code?.startsWith('HPE_')) return failed('not-http', `the answer is not HTTP (${error.code})`);
      if (ended === 'FIN' || error.code === 'ECONNRESET') return failed('closed', `connection closed after ${watch.received().length} bytes, before a whole answer`);
      failed('error', error.message);
    });
    req.end();
  });
}
