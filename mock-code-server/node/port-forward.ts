// code-server's port forwarding (routes/pathProxy.ts through http-proxy, src/node/proxy.ts):
// /proxy/<port>/… strips its base and /absproxy/<port>/… passes the path through, to a port on
// this machine. The mock dials 127.0.0.1 only (code-server: 0.0.0.0, which is the same host).
import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { redirect, sendHttpError } from './http-replies.ts';

export interface ProxyRoute {
  /** /proxy strips `/proxy/<port>` from the path and rewrites absolute redirects; /absproxy does neither. */
  passthroughPath: boolean;
  port: number;
  /** `/proxy/<port>` as it came, the base redirects are rewritten against. */
  base: string;
  /** The path after the port segment ('' or '/' at the root). */
  rest: string;
}

/** express `/proxy/:port{/*path}` and `/absproxy/:port{/*path}`; the port is parseInt'ed (NaN: 400 "Invalid port"). */
export function proxyRoute(pathname: string): ProxyRoute | undefined {
  const match = /^\/(proxy|absproxy)\/([^/]+)(\/.*)?$/.exec(pathname);
  if (!match) return undefined;
  const [, kind, port = '', rest = ''] = match;
  return { passthroughPath: kind === 'absproxy', port: Number.parseInt(port, 10), base: `/${kind}/${port}`, rest };
}

/** pathProxy.ts getProxyTarget, then http-proxy's urlJoin, which collapses repeated slashes. */
function targetPath(route: ProxyRoute, originalUrl: string): string {
  const forwarded = route.passthroughPath ? originalUrl : `/${originalUrl.slice(route.base.length)}`;
  const query = forwarded.indexOf('?');
  const path = query < 0 ? forwarded : forwarded.slice(0, query);
  return path.replace(/\/\/+/g, '/') + (query < 0 ? '' : forwarded.slice(query));
}

/** http.ts relativeRoot + constructRedirectPath: `login`, relative to where the request was. */
function loginRedirect(originalUrl: string): string {
  const [path = '', query] = originalUrl.split('?', 2);
  const depth = (path.match(/\//g) ?? []).length;
  const root = `./${'../'.repeat(Math.max(0, depth - 1))}`.replace(/\/+$/, '');
  return `${root}/login${query ? `?${query}` : ''}`;
}

export function forwardHttp(req: IncomingMessage, res: ServerResponse, route: ProxyRoute, authenticated: boolean): void {
  if (Number.isNaN(route.port)) return sendHttpError(req, res, 400, 'Invalid port');
  const originalUrl = req.url ?? '/';
  if (!authenticated) {
    // Visiting the root (/proxy/<port> only) goes to the login page; anything deeper is a 401.
    if (route.rest === '' || route.rest === '/') return redirect(res, loginRedirect(originalUrl));
    return sendHttpError(req, res, 401, 'Unauthorized');
  }
  const failed = (error: Error): void => {
    // proxy.ts's error handler: a 500 whose body is the error's message, no content type.
    if (res.headersSent) return void res.destroy();
    res.writeHead(500);
    res.end(error.message);
  };
  let upstream;
  try {
    // http-proxy without an agent: the hop asks for `connection: close`.
    upstream = request({ host: '127.0.0.1', port: route.port, method: req.method, path: targetPath(route, originalUrl), headers: { ...req.headers, connection: 'close' } });
  } catch (error) {
    return failed(error instanceof Error ? error : new Error(String(error)));
  }
  upstream.on('error', failed);
  upstream.on('response', (answer) => {
    const headers = { ...answer.headers };
    const location = headers.location;
    // proxy.ts proxyRes: absolute redirects are rewritten against the base (only /proxy has one).
    if (!route.passthroughPath && typeof location === 'string' && location.startsWith('/')) headers.location = route.base + location;
    res.writeHead(answer.statusCode ?? 502, answer.statusMessage, headers);
    answer.pipe(res);
  });
  res.on('close', () => upstream.destroy());
  req.pipe(upstream);
}

/**
 * A WebSocket under /proxy or /absproxy: the upgrade goes to the local port as it came (path
 * rewritten as for HTTP), and the two sockets are piped — whatever the port answers reaches the
 * client, 101 or not. A port nobody listens on: `HTTP/1.1 500 <error>`, as http-proxy's error handler writes.
 */
export function forwardUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, route: ProxyRoute): void {
  if (Number.isNaN(route.port)) return void socket.end('HTTP/1.1 400 Invalid port\r\n\r\n');
  const upgrade = (req.headers.upgrade ?? '').toLowerCase();
  if (req.method !== 'GET' || upgrade !== 'websocket') return void socket.destroy();
  let upstream;
  try {
    upstream = connect({ host: '127.0.0.1', port: route.port });
  } catch (error) {
    return void socket.end(`HTTP/1.1 500 ${error instanceof Error ? error.message : String(error)}\r\n\r\n`);
  }
  let connected = false;
  upstream.on('connect', () => {
    connected = true;
    const lines = [`GET ${targetPath(route, req.url ?? '/')} HTTP/1.1`];
    for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
    upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (head.length > 0) upstream.write(head);
    upstream.pipe(socket).pipe(upstream);
  });
  upstream.on('error', (error) => {
    if (connected) socket.destroy();
    else socket.end(`HTTP/1.1 500 ${error.message}\r\n\r\n`);
  });
  upstream.on('close', () => {
    if (connected) socket.destroy();
  });
  socket.on('close', () => upstream.destroy());
}
