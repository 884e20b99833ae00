// The WebSocket upgrade path, in code-server's order: a websocket Upgrade header (else 400), the
// Origin rule (else 403), the password cookie (else 401) — all raw HTTP written on the socket —
// then server faults, then the 101. The path is ignored except for the terminal endpoint.
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

/** A raw HTTP response on the upgrade socket, then the socket ends: what the browser sees as 1006. */
export function rejectUpgrade(socket: Duplex, status: number, detail: string): void {
  const body = `${detail}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}\r\n` +
      'Connection: close\r\nContent-Type: text/plain; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

export function isWebSocketUpgrade(req: IncomingMessage): boolean {
  return (req.headers.upgrade ?? '').toLowerCase() === 'websocket';
}

export interface ProtocolQuery {
  reconnectionToken: string | undefined;
  reconnection: boolean;
  skipWebSocketFrames: boolean;
}

/** The server reads only these three query parameters; a missing token means a fresh one. */
export function protocolQuery(url: URL): ProtocolQuery {
  return {
    reconnectionToken: url.searchParams.get('reconnectionToken') ?? undefined,
    reconnection: url.searchParams.get('reconnection') === 'true',
    skipWebSocketFrames: url.searchParams.get('skipWebSocketFrames') === 'true',
  };
}
