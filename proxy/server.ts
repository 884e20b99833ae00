// The service: one HTTP server, bounded at its edge (headers, request and keep-alive deadlines, a
// header size), whose requests and upgrades are routed (./routes.ts) to the HTTP forwarder, the
// WebSocket bridge, the health endpoints or the vsda stubs. Anything that is not a well-formed
// origin-form request for a configured route is answered here and dials nothing.
//
// startProxy() is a list of named steps over four parts — the dialer, the router, the upstream
// header policy and the WebSocket bridge. productParts() builds the product's; an entry point that
// composes other parts from them (the harness's legacy reproductions) passes its own factory.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { joinHostPort } from '../common/host-port.ts';
import { defaultConfig, listenAddress, validateConfig, type ProxyConfig } from './config.ts';
import { readiness } from './health.ts';
import { SocksAgent } from './http/agent.ts';
import { forwardHttp } from './http/forward.ts';
import { upstreamRequestHeaders, type UpstreamHeaders } from './http/headers.ts';
import { jsonLineLog, pathOnly, type AccessLog, type AccessRecord } from './log.ts';
import { routeFor, type Router } from './routes.ts';
import { SocksDialer, type Dialer } from './socks/dial.ts';
import { SessionBridge, type WebSocketBridge } from './ws/bridge.ts';

export interface ProxyHandle {
  url: string;
  host: string;
  port: number;
  /** Open WebSocket sessions (for tests and the harness). */
  sessions(): number;
  close(): Promise<void>;
}

export interface ProxyHooks {
  /** Access log sink; default one JSON line per request on stderr when `accessLog` is on. */
  log?: AccessLog;
  /** Runs in the WebSocket upgrade path before dialing (e.g. an auth check); a throw ends the session with 1011. */
  beforeDial?: (req: IncomingMessage) => void | Promise<void>;
}

export interface StartProxyOptions extends Partial<ProxyConfig>, ProxyHooks {}

/** What the server is made of; each part is small enough to be replaced on its own. */
export interface ProxyParts {
  dialer: Dialer;
  route: Router;
  upstreamHeaders: UpstreamHeaders;
  bridge: WebSocketBridge;
}

export type ComposeParts = (config: ProxyConfig, hooks: ProxyHooks) => ProxyParts;

/** Merges options over the defaults (listening on an ephemeral loopback port unless told otherwise). */
export function resolveConfig(options: StartProxyOptions): ProxyConfig {
  const { log: _log, beforeDial: _beforeDial, ...given } = options;
  return validateConfig({ ...defaultConfig(), listen: '127.0.0.1:0', ...stripUndefined(given) });
}

/** The product's parts for a configuration; `given` replaces the dialer, router or header policy the bridge is built on. */
export function productParts(config: ProxyConfig, hooks: ProxyHooks, given: Partial<Omit<ProxyParts, 'bridge'>> = {}): ProxyParts {
  const dialer =
    given.dialer ??
    new SocksDialer({
      socksUrl: config.socksUrl,
      connectTimeoutMs: config.socksConnectTimeoutMs,
      greetingTimeoutMs: config.socksGreetingTimeoutMs,
      connectReplyTimeoutMs: config.socksConnectReplyTimeoutMs,
    });
  const route = given.route ?? ((target: string) => routeFor(target, config));
  const upstreamHeaders = given.upstreamHeaders ?? upstreamRequestHeaders;
  const bridge = new SessionBridge({ config, dialer, upstreamHeaders, beforeDial: hooks.beforeDial });
  return { dialer, route, upstreamHeaders, bridge };
}

export async function startProxy(options: StartProxyOptions, compose: ComposeParts = productParts): Promise<ProxyHandle> {
  const config = resolveConfig(options);
  const parts = compose(config, options);
  const log = options.log ?? (config.accessLog ? jsonLineLog(process.stderr) : () => {});
  // A kept-alive tunnel idle for KEEP_ALIVE_TIMEOUT_MS is closed, like an idle browser connection.
  const agent = new SocksAgent(parts.dialer, { timeout: config.keepAliveTimeoutMs });
  const server = boundedServer(config);
  server.on('request', requestHandler(config, parts, agent, log));
  server.on('upgrade', upgradeHandler(config, parts, log));
  server.on('connect', refuseConnect);
  server.on('clientError', answerClientError);
  await listen(server, config.listen);
  return handleFor(server, config, parts, agent);
}

/**
 * Node's own bounds, set from the configuration: a slow-loris client is cut at HEADERS_TIMEOUT_MS
 * (Node checks every connectionsCheckingInterval, so that interval is a quarter of the deadline, at
 * most 1 s), a request at REQUEST_TIMEOUT_MS, an idle keep-alive at KEEP_ALIVE_TIMEOUT_MS.
 */
function boundedServer(config: ProxyConfig): Server {
  const server = createServer({
    headersTimeout: config.headersTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    maxHeaderSize: config.maxHeaderBytes,
    connectionsCheckingInterval: Math.max(1, Math.min(1000, Math.floor(config.headersTimeoutMs / 4))),
  });
  server.keepAliveTimeout = config.keepAliveTimeoutMs;
  return server;
}

function newRecord(kind: AccessRecord['kind'], req: IncomingMessage, route: string): AccessRecord {
  return { kind, route, method: req.method, path: pathOnly(req.url ?? ''), hops: {}, bytesUp: 0, bytesDown: 0, ms: 0 };
}

function requestHandler(config: ProxyConfig, parts: ProxyParts, agent: SocksAgent, log: AccessLog) {
  const upstream = new URL(config.upstreamUrl);
  return (req: IncomingMessage, res: ServerResponse) => {
    const started = performance.now();
    const route = parts.route(req.url ?? '', false);
    const record = newRecord('http', req, route.kind);
    const finish = () => {
      record.status ??= res.statusCode;
      record.ms = Math.round(performance.now() - started);
      log(record);
    };
    const answer = (status: number, body: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
      res.end(body);
      res.once('close', finish);
    };
    switch (route.kind) {
      case 'healthz':
        return answer(200, JSON.stringify({ status: 'alive' }), { 'content-type': 'application/json' });
      case 'readyz':
        readiness({ dialer: parts.dialer, upstream, probePath: config.readyProbePath, probeTimeoutMs: config.responseTimeoutMs }).then(
          (report) => {
            record.cause = report.cause;
            for (const step of report.steps) record.hops[step.step === 'http_probe' ? 'upstream.probe' : `socks.${step.step}`] = step.ms;
            answer(report.ok ? 200 : 503, JSON.stringify(report, null, 2) + '\n', { 'content-type': 'application/json', 'cache-control': 'no-store' });
          },
          (error: Error) => answer(500, `readiness check failed: ${error.message}\n`),
        );
        return;
      case 'vsda':
        // 200s the workbench's loader takes quietly (./routes.ts): a 404 is logged on every load.
        return answer(200, route.body, { 'content-type': route.contentType, 'cache-control': 'public, max-age=86400' });
      case 'redirect':
        return answer(308, '', { location: route.location });
      case 'bad_request':
        record.cause = `route.bad_request ${route.reason}`;
        return answer(400, `400 Bad Request: ${route.reason}\n`);
      case 'not_found':
        return answer(404, '404 Not Found\n');
      case 'terminal':
        return answer(426, 'the terminal route only accepts WebSocket upgrades\n', { upgrade: 'websocket' });
      case 'code':
        return forwardHttp(req, res, route.target, { upstream, prefix: config.codePrefix, agent, responseTimeoutMs: config.responseTimeoutMs, upstreamHeaders: parts.upstreamHeaders, retry: { windowMs: config.httpRetryWindowMs, intervalMs: config.retryIntervalMs } }, record, finish);
    }
  };
}

function upgradeHandler(config: ProxyConfig, parts: ProxyParts, log: AccessLog) {
  const upstream = new URL(config.upstreamUrl);
  const terminal = config.terminalUrl ? new URL(config.terminalUrl.replace(/^http/, 'ws')) : undefined;
  return (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => {}); // replaced by the bridge's handler; here so nothing before it can crash the process
    const route = parts.route(req.url ?? '', true);
    const record = newRecord('ws', req, route.kind);
    if (route.kind !== 'code' && route.kind !== 'terminal') {
      const status = route.kind === 'bad_request' ? '400 Bad Request' : '404 Not Found';
      socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
      return;
    }
    parts.bridge.accept(req, socket, head, { upstream: route.kind === 'code' ? upstream : terminal, target: route.target }, record, log);
  };
}

/** A CONNECT request would make this a forward proxy to anywhere: refused without dialling. */
function refuseConnect(_req: IncomingMessage, socket: Duplex): void {
  socket.on('error', () => {});
  socket.end('HTTP/1.1 405 Method Not Allowed\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
}

/** Node's parser refused a request (malformed, over the header size, past a deadline): answered as Node itself would, then closed. */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || error.code === 'ECONNRESET') return void socket.destroy();
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
  socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
  // A client that never reads would keep a half-closed socket: it goes once our answer is flushed.
  socket.once('finish', () => socket.destroy());
}

async function listen(server: Server, address: string): Promise<void> {
  const { host, port } = listenAddress(address);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function handleFor(server: Server, config: ProxyConfig, parts: ProxyParts, agent: SocksAgent): ProxyHandle {
  const address = server.address() as AddressInfo;
  let closed: Promise<void> | undefined;
  const shutdown = async () => {
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await parts.bridge.close(config.shutdownGraceMs);
    parts.dialer.abortAll();
    server.closeAllConnections();
    agent.destroy();
    await stopped;
  };
  return {
    url: `http://${joinHostPort(address.address, address.port)}`,
    host: address.address,
    port: address.port,
    sessions: () => parts.bridge.size,
    close: () => (closed ??= shutdown()),
  };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
