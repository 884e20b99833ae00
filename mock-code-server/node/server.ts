// The mock code-server: one HTTP server for the pages, the protocol WebSockets and the terminal.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { joinHostPort, splitHostPort, type HostPort } from '../../common/host-port.ts';
import { protocolTimings, systemClock, type Clock } from '../common/clock.ts';
import { planFaults, restartsNow, validateFaults, type ServerFaultSpec } from './faults.ts';
import { handleRequest, Heartbeat, newMintKey, type HttpContext } from './http-routes.ts';
import { checkOrigin } from './origin.ts';
import { isAuthenticated } from './password.ts';
import { ProtocolServer } from './protocol-server.ts';
import { ProtocolSocket } from './protocol-socket.ts';
import { attachTerminal } from './terminal.ts';
import { forwardUpgrade, proxyRoute } from './port-forward.ts';
import { isWebSocketUpgrade, protocolQuery, rejectUpgrade, wsErrorReply } from './upgrade.ts';

export const DEFAULT_COMMIT = '409c64e0df4d53530e59c16acc2b5d5766f717b0';
export const TERMINAL_PATH = '/terminal';
/** The extension host's messages reach 64 MiB and more; each hop must take them. */
export const MAX_PAYLOAD_BYTES = 256 * 1024 * 1024;

export interface ServerOptions {
  /** 'HOST:PORT', default '127.0.0.1:0'. */
  listen?: string;
  /** Default '409c64e0df4d53530e59c16acc2b5d5766f717b0' (code-server 4.100.3). */
  commit?: string;
  password?: string;
  trustedOrigins?: string[];
  folder?: string;
  /** Multiplies every protocol timer (ack 2 s, keepalive 5 s, grace…); tests use e.g. 0.01. */
  timeScale?: number;
  faults?: ServerFaultSpec[];
  /** Beyond the shared contract: a connection token the handshake's `auth` must carry. */
  connectionToken?: string;
  /** Beyond the shared contract: accept permessage-deflate when the client offers it. */
  perMessageDeflate?: boolean;
  clock?: Clock;
  /** One line per upgrade, handshake and socket end (the CLI writes them to stderr). */
  log?: (line: string) => void;
}

export interface ServerHandle {
  url: string;
  host: string;
  port: number;
  commit: string;
  setFaults(faults: ServerFaultSpec[]): void;
  clearFaults(): void;
  close(): Promise<void>;
  /** TCP sockets currently open (HTTP and WebSocket): tests check it returns to 0. */
  openSockets(): number;
  protocol: ProtocolServer;
}

export function parseListen(listen: string): HostPort {
  const address = splitHostPort(listen);
  if (!address) throw Object.assign(new Error(`--listen wants HOST:PORT, got "${listen}"`), { code: 'BAD_LISTEN' });
  return address;
}

export async function startServer(options: ServerOptions = {}): Promise<ServerHandle> {
  const commit = options.commit ?? DEFAULT_COMMIT;
  const timeScale = options.timeScale ?? 1;
  const clock = options.clock ?? systemClock;
  let faults = options.faults ?? [];
  validateFaults(faults);
  let upgradeCount = 0;
  const heartbeat = new Heartbeat(60_000 * timeScale);
  const httpContext: HttpContext = { commit, folder: options.folder ?? '/home/coder/project', password: options.password, heartbeat, mintKey: newMintKey() };
  const protocol = new ProtocolServer({
    commit,
    connectionToken: options.connectionToken,
    timeScale,
    clock,
    timings: protocolTimings(timeScale),
    home: '/home/coder',
  });
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_PAYLOAD_BYTES,
    perMessageDeflate: options.perMessageDeflate ?? false,
    // code-server never selects a subprotocol (ws would pick the client's first one).
    handleProtocols: () => false,
  });
  const log = options.log ?? (() => undefined);
  const sockets = new Set<Socket>();
  /** The terminal is another process (ttyd in production): a code-server restart leaves it alone. */
  const terminalSockets = new Set<Duplex>();
  const pendingUpgrades = new Set<NodeJS.Timeout>();
  let restartSpent = false;

  /** code-server's process restarts: sessions, reconnection tokens and its TCP sockets are gone. */
  const restart = (why: string): void => {
    restartSpent = true;
    const { sessions, sockets: ended } = protocol.restart();
    let dropped = 0;
    for (const socket of sockets) {
      if (terminalSockets.has(socket)) continue;
      socket.destroy();
      dropped++;
    }
    heartbeat.lastHeartbeat = 0;
    log(`restart (${why}): ${sessions} sessions and their reconnection tokens forgotten, ${ended} protocol sockets ended, ${dropped} TCP sockets dropped`);
  };

  const server: Server = createServer((req, res) => {
    handleRequest(req, res, httpContext).catch(() => res.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_error, socket) => socket.destroy());

  const completeUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer, onSocket: (ws: WebSocket) => void): void => {
    if (socket.destroyed) return;
    wss.handleUpgrade(req, socket, head, onSocket);
  };

  const refuse = (socket: Duplex, status: number, detail: string, what: string): void => {
    log(`${what} refused ${status}: ${detail}`);
    rejectUpgrade(socket, status, detail);
  };

  /** code-server's wsRouter: ensureOrigin, then ensureAuthenticated, each failure as wsErrorHandler writes it. */
  const refuseAsCodeServer = (socket: Duplex, status: number, message: string, detail: string, what: string): void => {
    log(`${what} refused ${status}: ${detail}`);
    wsErrorReply(socket, status, message);
  };

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    heartbeat.beat();
    const what = `upgrade ${req.url ?? ''}`;
    const origin = checkOrigin(req.headers, options.trustedOrigins);
    if (!origin.allowed) return refuseAsCodeServer(socket, 403, 'Forbidden', origin.reason, what);
    if (!isAuthenticated(req.headers, options.password)) return refuseAsCodeServer(socket, 401, 'Unauthorized', 'no valid code-server-session cookie', what);
    const url = new URL(req.url ?? '/', 'http://mock');
    const forward = proxyRoute(url.pathname);
    if (forward) {
      log(`${what}: forwarded to 127.0.0.1:${forward.port}`);
      return forwardUpgrade(req, socket, head, forward);
    }
    // VS Code's handleUpgrade: exactly these bytes, no line end.
    if (!isWebSocketUpgrade(req)) {
      log(`${what} refused 400: expected a websocket upgrade`);
      return void socket.end('HTTP/1.1 400 Bad Request');
    }
    if (url.pathname === TERMINAL_PATH) {
      log(`${what}: terminal`);
      terminalSockets.add(socket);
      socket.on('close', () => terminalSockets.delete(socket));
      return completeUpgrade(req, socket, head, (ws) => attachTerminal(ws, httpContext.folder));
    }
    const id = ++upgradeCount;
    const plan = planFaults(faults, id);
    if (plan.refuseStatus !== undefined) return refuse(socket, plan.refuseStatus, 'refused by fault upgrade-refuse', `socket #${id} ${what}`);
    const query = protocolQuery(url);
    const open = (): void =>
      completeUpgrade(req, socket, head, (ws) => {
        log(`socket #${id} ${what}: 101`);
        ws.on('message', () => heartbeat.beat());
        const restartOnce = (): void => {
          if (!restartSpent) restart(`fault restart after ${plan.restartAfterMessages} messages on socket #${id}`);
        };
        protocol.accept(new ProtocolSocket(ws, socket, plan, id, log, restartOnce), query);
      });
    if (plan.upgradeDelayMs === undefined) return open();
    const timer = setTimeout(() => {
      pendingUpgrades.delete(timer);
      open();
    }, plan.upgradeDelayMs);
    pendingUpgrades.add(timer);
  });

  const { host, port: wantedPort } = parseListen(options.listen ?? '127.0.0.1:0');
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(wantedPort, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;

  return {
    url: `http://${joinHostPort(address.address, address.port)}`,
    host: address.address,
    port: address.port,
    commit,
    setFaults(next) {
      validateFaults(next);
      faults = next;
      upgradeCount = 0;
      restartSpent = false;
      if (restartsNow(next)) restart('fault restart set');
    },
    clearFaults() {
      faults = [];
      upgradeCount = 0;
    },
    openSockets: () => sockets.size,
    protocol,
    async close() {
      for (const timer of pendingUpgrades) clearTimeout(timer);
      pendingUpgrades.clear();
      protocol.dispose();
      const closing = [...sockets].map((socket) => new Promise((resolve) => socket.once('close', resolve)));
      for (const socket of sockets) socket.destroy();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      // Resolve only once every socket is gone, so callers can count on a clean slate.
      await Promise.all(closing);
    },
  };
}
