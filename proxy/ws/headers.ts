// Headers for the upstream's upgrade request: the HTTP policy (Host, Origin, cookies,
// X-Forwarded-*) minus the WebSocket handshake headers, which upstreamUpgrade() writes itself for
// its own hop (key, version) and which are negotiated per hop (extensions, subprotocols).
import type { OutgoingHttpHeaders } from 'node:http';

const perHop = ['sec-websocket-key', 'sec-websocket-version', 'sec-websocket-extensions', 'sec-websocket-protocol'];

export function withoutHandshakeHeaders(headers: OutgoingHttpHeaders): OutgoingHttpHeaders {
  for (const name of perHop) delete headers[name];
  return headers;
}
