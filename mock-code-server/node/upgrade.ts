// Pieces of the WebSocket upgrade path (server.ts runs it in code-server's order): the raw HTTP
// refusals written on the socket, the websocket check, the three query parameters VS Code reads.
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

/** routes/errors.ts wsErrorHandler: `HTTP/1.1 <status> <message>` and a blank line, then the socket ends. */
export function wsErrorReply(socket: Duplex, status: number, message: string): void {
  socket.end(`HTTP/1.1 ${status} ${message}\r\n\r\n`);
}

/** The upgrade-refuse fault's answer (a hop failing, not code-server): a raw HTTP response, then the socket ends. */
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
