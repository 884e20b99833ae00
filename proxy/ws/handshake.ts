// Both opening handshakes of RFC 6455 §4, done by the proxy itself so it holds the raw sockets
// afterwards: the browser's (answered at once, before any dial) and the upstream's (over the
// SOCKS tunnel, with a deadline). No extension is negotiated on either side, so frames can cross
// the proxy unchanged.
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import { ProxyError } from '../errors.ts';

const acceptGuid = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export function acceptKey(key: string): string {
  return createHash('sha1').update(key + acceptGuid).digest('base64');
}

export function offeredProtocols(req: IncomingMessage): string[] {
  const header = req.headers['sec-websocket-protocol'];
  return header ? header.split(',').map((p) => p.trim()).filter(Boolean) : [];
}

/** A browser upgrade the proxy will not take, with the HTTP answer it gets instead. */
export class HandshakeError extends ProxyError {
  readonly response: string;
  constructor(detail: string, status: string, headers: string[] = []) {
    super('route.bad_upgrade', detail);
    this.response = [`HTTP/1.1 ${status}`, 'connection: close', 'content-length: 0', ...headers, '', ''].join('\r\n');
  }
}

/** The 101 for the browser, or a HandshakeError when the request is not a valid WebSocket upgrade (RFC 6455 §4.2.1). */
export function browserAcceptResponse(req: IncomingMessage): string {
  const key = req.headers['sec-websocket-key'];
  const valid = req.method === 'GET' && String(req.headers.upgrade).toLowerCase() === 'websocket' && typeof key === 'string' && Buffer.from(key, 'base64').length === 16;
  if (!valid) throw new HandshakeError('not a valid WebSocket upgrade request', '400 Bad Request');
  // §4.4: a version the server does not speak is answered with the versions it does (426, as the RFC's example).
  if (req.headers['sec-websocket-version'] !== '13') throw new HandshakeError(`Sec-WebSocket-Version ${JSON.stringify(req.headers['sec-websocket-version'] ?? '')} (only 13 is spoken)`, '426 Upgrade Required', ['Sec-WebSocket-Version: 13']);
  // The browser's first subprotocol is chosen now, before the upstream's choice is known; the
  // upstream is offered the same list (code-server uses none).
  const protocol = offeredProtocols(req)[0];
  return ['HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Accept: ${acceptKey(key)}`, ...(protocol ? [`Sec-WebSocket-Protocol: ${protocol}`] : []), '', ''].join('\r\n');
}

const maxResponseHeadBytes = 64 * 1024;

/** An HTTP/1.1 request head. Header values come from Node's parser, which already refused CR/LF in them. */
export function requestHead(method: string, target: string, headers: OutgoingHttpHeaders): string {
  const lines = [`${method} ${target} HTTP/1.1`];
  for (const [name, value] of Object.entries(headers)) {
    for (const one of Array.isArray(value) ? value : [value]) if (one !== undefined) lines.push(`${name}: ${String(one)}`);
  }
  return lines.join('\r\n') + '\r\n\r\n';
}

/**
 * Sends the upgrade request over `tunnel` and waits for the 101. Resolves with any bytes that
 * followed the response head (the first frames); rejects with the cause.
 */
export function upstreamUpgrade(tunnel: Duplex, target: string, headers: OutgoingHttpHeaders, protocols: string[], timeoutMs: number): Promise<Buffer> {
  const key = randomBytes(16).toString('base64');
  const handshake: OutgoingHttpHeaders = { upgrade: 'websocket', connection: 'Upgrade', 'sec-websocket-key': key, 'sec-websocket-version': '13' };
  if (protocols.length) handshake['sec-websocket-protocol'] = protocols.join(', ');
  tunnel.write(requestHead('GET', target, { ...headers, ...handshake }));

  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    const timer = setTimeout(() => done(new ProxyError('upstream.timeout.upgrade', `no 101 after ${timeoutMs} ms`)), timeoutMs);
    const done = (error: ProxyError | undefined, rest?: Buffer) => {
      clearTimeout(timer);
      tunnel.off('data', onData);
      tunnel.off('close', onClose);
      tunnel.off('error', onError);
      if (error) reject(error);
      else resolve(rest ?? Buffer.alloc(0));
    };
    const onData = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf('\r\n\r\n');
      if (end === -1) {
        if (received.length > maxResponseHeadBytes) done(new ProxyError('upstream.invalid_upgrade', 'response head over 64 KiB'));
        return;
      }
      tunnel.pause();
      done(checkResponse(received.subarray(0, end).toString('latin1'), key), received.subarray(end + 4));
    };
    let socketError: NodeJS.ErrnoException | undefined;
    const onError = (error: NodeJS.ErrnoException) => (socketError = error);
    const onClose = () =>
      done(socketError?.code === 'ECONNRESET' ? new ProxyError('upstream.reset', 'connection reset during the upgrade') : new ProxyError('upstream.closed_before_upgrade', 'the upstream ended the connection before answering'));
    tunnel.on('data', onData);
    tunnel.on('error', onError);
    tunnel.once('close', onClose);
  });
}

function checkResponse(head: string, key: string): ProxyError | undefined {
  const [statusLine = '', ...headerLines] = head.split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
  if (status !== 101) return new ProxyError('upstream.upgrade_refused', `(HTTP ${status || JSON.stringify(statusLine.slice(0, 40))})`);
  const headers = new Map(headerLines.map((line) => [line.slice(0, line.indexOf(':')).trim().toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
  if (headers.get('sec-websocket-accept') !== acceptKey(key)) return new ProxyError('upstream.invalid_upgrade', 'wrong Sec-WebSocket-Accept');
  if (headers.get('sec-websocket-extensions')) return new ProxyError('upstream.invalid_upgrade', 'an extension was negotiated that was not offered');
  return undefined;
}
