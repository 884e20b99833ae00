// Every failure the proxy can report has a stable `code` (asserted by tests, grepped in logs), the
// hop it happened on, and the WebSocket close code / HTTP status it maps to. The close-code table
// refines DESIGN.md "Decisions already made": the browser never has to infer a cause from 1006.
import { CloseCode } from '../common/close-codes.ts';

/** The hop a failure belongs to, as named in logs, 502 bodies and close reasons. */
export type Hop = 'browser' | 'socks' | 'upstream' | 'proxy' | 'route';

export { CloseCode };

/** A failure with a stable code (`socks.timeout.greeting`) and an optional detail (`[::1]:1055`). */
export class ProxyError extends Error {
  readonly code: string;
  readonly detail: string;
  readonly hop: Hop;
  readonly closeCode: number;
  readonly status: number;

  constructor(code: string, detail = '', options?: { cause?: unknown }) {
    // The message is `code detail`: the text of close reasons, 502 bodies and the log's `cause`.
    super(detail ? `${code} ${detail}` : code, options);
    this.name = 'ProxyError';
    this.code = code;
    this.detail = detail;
    this.hop = hopOf(code);
    this.closeCode = closeCodeFor(code);
    this.status = statusFor(code);
  }
}

function hopOf(code: string): Hop {
  const prefix = code.split('.')[0];
  return prefix === 'browser' || prefix === 'socks' || prefix === 'upstream' || prefix === 'route' ? prefix : 'proxy';
}

/**
 * The close code the browser gets for a failure cause.
 * 1014 (bad gateway): anything on the SOCKS or upstream hop — unreachable, refused, timed out, an
 *   upgrade answered with something other than 101, or an upstream that ended its TCP connection
 *   without a close frame (code-server never sends one, vscode-remote-protocol.md "The WebSocket").
 * 1001: the proxy is shutting down or the connection reached its configured lifetime.
 * 1013: the proxy is at its connection limit.
 * 1009: a frame larger than the configured maximum payload.
 * 1002 / 1007: the browser sent a frame RFC 6455 does not allow / a close reason that is not UTF-8
 *   (§7.4.1; an upstream that does the same is a failure of the hop behind the proxy: 1014).
 * 1011: anything else — an exception inside the proxy.
 */
export function closeCodeFor(cause: string | ProxyError): number {
  const code = typeof cause === 'string' ? cause.split(' ')[0] ?? '' : cause.code;
  if (code === 'proxy.shutdown' || code === 'proxy.lifetime') return CloseCode.goingAway;
  if (code === 'proxy.connection_limit') return CloseCode.tryAgainLater;
  if (code === 'proxy.message_too_big') return CloseCode.messageTooBig;
  if (code === 'browser.protocol_error') return CloseCode.protocolError;
  if (code === 'browser.invalid_payload') return CloseCode.invalidPayload;
  if (code.startsWith('socks.') || code.startsWith('upstream.') || code.startsWith('route.')) return CloseCode.badGateway;
  return CloseCode.internalError;
}

/** The HTTP status for the same causes: 504 for deadlines, 502 for other gateway failures. */
export function statusFor(code: string): number {
  if (code === 'proxy.shutdown' || code === 'proxy.connection_limit') return 503;
  if (code.startsWith('browser.')) return 400;
  if (code.startsWith('socks.timeout') || code.startsWith('upstream.timeout')) return 504;
  if (code.startsWith('socks.') || code.startsWith('upstream.') || code.startsWith('route.')) return 502;
  return 500;
}

/** Wraps anything thrown into a ProxyError, keeping a ProxyError as it is. */
export function asProxyError(error: unknown, fallbackCode = 'proxy.internal'): ProxyError {
  if (error instanceof ProxyError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ProxyError(fallbackCode, message, { cause: error });
}
