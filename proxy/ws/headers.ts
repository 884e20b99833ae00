// Headers for the upstream's upgrade request: the HTTP policy (Host, Origin, cookies,
// X-Forwarded-*) minus the WebSocket handshake headers, which the ws client writes itself for
// its own hop (key, version) and which are negotiated per hop (extensions, subprotocols).
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { upstreamRequestHeaders, type ForwardPolicy } from '../http/headers.ts';

const perHop = ['sec-websocket-key', 'sec-websocket-version', 'sec-websocket-extensions', 'sec-websocket-protocol'];

export function upstreamUpgradeHeaders(req: IncomingMessage, policy: ForwardPolicy): OutgoingHttpHeaders {
  const headers = upstreamRequestHeaders(req, policy);
  for (const name of perHop) delete headers[name];
  return headers;
}
