// Request and response headers as they cross the proxy: hop-by-hop headers stay on their hop
// (RFC 9110 §7.6.1), X-Forwarded-* say where the request came from, and Host/Origin stay
// consistent for code-server's Origin check (vscode-remote-protocol.md "The WebSocket": the
// Origin's host must equal X-Forwarded-Host, else Host).
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from 'node:http';

const hopByHop = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

/** The headers minus hop-by-hop ones, including any the Connection header names. */
export function withoutHopByHop(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const named = new Set(
    String(headers.connection ?? '')
      .split(',')
      .map((token) => token.trim().toLowerCase())
      .filter(Boolean),
  );
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || hopByHop.has(name) || named.has(name)) continue;
    out[name] = value;
  }
  return out;
}

/** The headers sent upstream for a browser request; `upstreamHost` is the upstream's `host:port`. */
export type UpstreamHeaders = (req: IncomingMessage, upstreamHost: string) => OutgoingHttpHeaders;

/**
 * Host is kept as the browser sent it, and X-Forwarded-Host repeats it, so an Origin of
 * `https://<public host>` matches whatever code-server compares it with. Cloud Run's front end
 * already sets X-Forwarded-Proto; it is kept when present.
 */
export const upstreamRequestHeaders: UpstreamHeaders = (req, upstreamHost) => {
  const headers = withoutHopByHop(req.headers);
  const browserHost = req.headers.host ?? upstreamHost;
  const remote = req.socket.remoteAddress ?? '';
  const priorFor = req.headers['x-forwarded-for'];
  headers['x-forwarded-for'] = priorFor ? `${String(priorFor)}, ${remote}` : remote;
  headers['x-forwarded-proto'] = req.headers['x-forwarded-proto'] ?? ('encrypted' in req.socket ? 'https' : 'http');
  headers.host = browserHost;
  headers['x-forwarded-host'] = browserHost;
  return headers;
};
