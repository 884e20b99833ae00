// The service: one HTTP server whose requests and upgrades are routed (./routes.ts) to the HTTP
// forwarder, the WebSocket session, the health endpoints or the vsda stubs. Anything that is not
// a well-formed origin-form request for a configured route is answered here and dials nothing.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { defaultConfig, legacyKnobsFor, validateConfig, type LegacyKnobs, type ProxyConfig } from './config.ts';
import { ProxyError } from './errors.ts';
import { readiness } from './health.ts';
import { SocksAgent } from './http/agent.ts';
import { forwardHttp } from './http/forward.ts';
import { jsonLineLog, pathOnly, type AccessLog, type AccessRecord } from './log.ts';
import { routeFor } from './routes.ts';
import { SocksDialer } from './socks/dial.ts';
import { SingleReadSocksDialer } from './socks/single-read.ts';
import { passThroughUpgrade } from './ws/passthrough.ts';
import { WsSession } from './ws/session.ts';

export interface ProxyHandle {
  url: string;
  host: string;
  port: number;
  /** Open WebSocket sessions (for tests and the harness). */
  sessions(): number;
  close(): Promise<void>;
}

export interface StartProxyOptions extends Partial<Omit<ProxyConfig, 'legacy'>> {
  legacy?: Partial<LegacyKnobs>;
  /** Access log sink; default one JSON line per request on stderr when `accessLog` is on. */
  log?: AccessLog;
  /** Runs in the WebSocket upgrade path before dialing (e.g. an auth check); a throw ends the session with 1011. */
  beforeDial?: (req: IncomingMessage) => void | Promise<void>;
}

/** Merges options over the defaults; the profile fills the knobs the options leave unset. */
export function resolveConfig(options: StartProxyOptions): ProxyConfig {
  const { log: _log, beforeDial: _beforeDial, legacy, ...given } = options;
  const base = defaultConfig();
  const profile = options.profile ?? base.profile;
  return validateConfig({ ...base, listen: '127.0.0.1:0', ...stripUndefined(given), profile, legacy: { ...legacyKnobsFor(profile), ...legacy } });
}

export async function startProxy(options: StartProxyOptions): Promise<ProxyHandle> {
  const config = resolveConfig(options);
  const noTimeouts = config.legacy.noTimeouts;
  const deadline = (ms: number) => (noTimeouts ? 0 : ms);
  // Legacy `singleReadReplies`: a naive reply parser, kept apart so the fixed dialer has no such branch.
  const dialer = new (config.legacy.singleReadReplies ? SingleReadSocksDialer : SocksDialer)({
    socksUrl: config.socksUrl,
    connectTimeoutMs: deadline(config.socksConnectTimeoutMs),
    greetingTimeoutMs: deadline(config.socksGreetingTimeoutMs),
    connectReplyTimeoutMs: deadline(config.socksConnectReplyTimeoutMs),
    singleAddress: config.legacy.singleAddress,
  });
  const upstream = new URL(config.upstreamUrl);
  const terminal = config.terminalUrl ? new URL(config.terminalUrl.replace(/^http/, 'ws')) : undefined;
  const agent = new SocksAgent(dialer);
  const log = options.log ?? (config.accessLog ? jsonLineLog(process.stderr) : () => {});
  const sessions = new Set<WsSession>();
  const passThroughSockets = new Set<Duplex>();
  const lingering = new Set<Duplex>();
  let closing = false;
  let drained: (() => void) | undefined;

  const newRecord = (kind: AccessRecord['kind'], req: IncomingMessage, route: string): AccessRecord => ({
    kind,
    route,
    method: req.method,
    path: pathOnly(req.url ?? ''),
    hops: {},
    bytesUp: 0,
    bytesDown: 0,
    ms: 0,
  });

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const started = performance.now();
    const route = routeFor(req.url ?? '', config, false);
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
        readiness({ dialer, upstream, probePath: config.readyProbePath, probeTimeoutMs: deadline(config.responseTimeoutMs) }).then(
          (report) => {
            record.cause = report.cause;
            for (const step of report.steps) record.hops[step.step === 'http_probe' ? 'upstream.probe' : `socks.${step.step}`] = step.ms;
            answer(report.ok ? 200 : 503, JSON.stringify(report, null, 2) + '\n', { 'content-type': 'application/json', 'cache-control': 'no-store' });
          },
          (error: Error) => answer(500, `readiness check failed: ${error.message}\n`),
        );
        return;
      case 'vsda':
        // Empty 200s: the workbench only logs errors for these when they 404 (seeds: "Mocked vsda Files").
        return answer(200, '', { 'content-type': route.contentType, 'cache-control': 'public, max-age=86400' });
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
        return forwardHttp(req, res, route.target, { upstream, prefix: config.codePrefix, agent, responseTimeoutMs: deadline(config.responseTimeoutMs), hostRewrite: config.legacy.hostRewrite }, record, finish);
    }
  };

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => {}); // replaced by the session's handler; here so nothing before it can crash the process
    const route = routeFor(req.url ?? '', config, true);
    const record = newRecord('ws', req, route.kind);
    if (route.kind !== 'code' && route.kind !== 'terminal') {
      const status = route.kind === 'bad_request' ? '400 Bad Request' : '404 Not Found';
      socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
      return;
    }
    const target = route.kind === 'code' ? upstream : terminal;
    if (config.legacy.passThroughUpgrade && target) {
      passThroughSockets.add(socket);
      void passThroughUpgrade(req, socket, head, { dialer, upstream: target, upstreamTarget: route.target, hostRewrite: config.legacy.hostRewrite }, record, () => {
        passThroughSockets.delete(socket);
        log(record);
      });
      return;
    }
    let refuse: ProxyError | undefined;
    if (closing) refuse = new ProxyError('proxy.shutdown', 'the proxy is shutting down');
    else if (sessions.size >= config.maxConnections) refuse = new ProxyError('proxy.connection_limit', `${config.maxConnections} sessions open`);
    else if (!target) refuse = new ProxyError('route.not_configured', 'TERMINAL_URL is not set');
    const session = new WsSession(
      {
        dialer,
        upstreamUrl: target ?? new URL('http://unconfigured.invalid'), // refused before any dial
        upstreamTarget: route.target,
        upgradeTimeoutMs: deadline(config.upgradeTimeoutMs),
        lifetimeMs: config.wsLifetimeMs,
        maxPayloadBytes: config.maxPayloadBytes,
        highWaterMarkBytes: config.highWaterMarkBytes,
        closeGraceMs: config.shutdownGraceMs,
        upstreamEndSettleMs: config.upstreamEndSettleMs,
        lingering,
        hostRewrite: config.legacy.hostRewrite,
        refuse,
        beforeDial: options.beforeDial,
      },
      record,
      (ended) => {
        sessions.delete(ended);
        log(ended.record);
        if (sessions.size === 0) drained?.();
      },
    );
    sessions.add(session);
    void session.run(req, socket, head);
  };

  // No whole-request deadline: a 100 MiB upload may take longer than Node's 300 s default behind a
  // slow client; headersTimeout (60 s) still bounds a slow-loris, and Cloud Run bounds the rest.
  const server = createServer({ requestTimeout: 0 }, onRequest);
  server.on('upgrade', onUpgrade);
  // A CONNECT request would make this a forward proxy to anywhere: refused without dialling.
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
    socket.on('error', () => {});
    socket.end('HTTP/1.1 405 Method Not Allowed\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (socket.writable && error.code !== 'ECONNRESET') socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });

  const [host, port] = splitHostPort(config.listen);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${shownHost}:${address.port}`,
    host: address.address,
    port: address.port,
    sessions: () => sessions.size + passThroughSockets.size,
    async close() {
      if (closing) return;
      closing = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const shutdown = new ProxyError('proxy.shutdown', 'the proxy is shutting down');
      for (const session of sessions) session.end(shutdown);
      if (sessions.size > 0) {
        await new Promise<void>((resolve) => {
          const grace = setTimeout(resolve, config.shutdownGraceMs);
          drained = () => {
            clearTimeout(grace);
            resolve();
          };
        });
      }
      for (const session of sessions) session.destroy();
      for (const socket of passThroughSockets) socket.destroy();
      for (const socket of lingering) socket.destroy();
      dialer.abortAll();
      server.closeAllConnections();
      agent.destroy();
      await stopped;
    },
  };
}

/** `HOST:PORT`, `[::1]:PORT` → host and port. */
export function splitHostPort(listen: string): [string, number] {
  const at = listen.lastIndexOf(':');
  const host = listen.slice(0, at).replace(/^\[(.*)\]$/, '$1');
  return [host || '0.0.0.0', Number(listen.slice(at + 1))];
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
