// The words every front-door cause shares: what the browser shows for a handshake the hop fails
// (Chromium's console line, then the WebSocket's close event), so a reader searching their own
// symptom finds the cause.
import { STATUS_CODES } from 'node:http';

/** `404 Not Found`. */
export function statusText(status: number): string {
  return `${status} ${STATUS_CODES[status] ?? ''}`.trim();
}

/** What a browser reports when a handshake gets `status` instead of 101. */
export function handshakeFailed(status: number): string {
  return `"Error during WebSocket handshake: Unexpected response code: ${status}", then WebSocket close 1006`;
}

/** A raw HTTP response from the hop itself, ending the connection. */
export function rawResponse(status: number, headers: Record<string, string>, body: string): string {
  const lines = [`HTTP/1.1 ${statusText(status)}`, 'content-type: text/plain; charset=utf-8', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), `content-length: ${Buffer.byteLength(body)}`, 'connection: close'];
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}
