// startMockSocks: listens as tailscaled's --socks5-server would, and runs one session per
// connection against the mock tailnet, with the faults currently set.
import { createServer, type Server, type Socket } from 'node:net';
import { EventEmitter, setMaxListeners } from 'node:events';
import './faults/index.ts';
import { Connection } from './connection.ts';
import { runProtocol } from './connection-protocol.ts';
import { connectCommand } from './connect.ts';
import { udpAssociate } from './udp.ts';
import { TailnetMap } from './tailnet.ts';
import { SocksLogger } from './log.ts';
import { FaultSet } from './faults/selection.ts';
import { ActivityClock } from './activity.ts';
import { parseListen, planListen, type ListenPlan } from './bind.ts';
import type { DialEnvironment } from './dial.ts';
import type { ConnectionRecord, MockSocksHandle, MockSocksOptions } from './types.ts';

const DEFAULT_DIAL_TIMEOUT_MS = 5000;
const DEFAULT_SELF_ADDRESS = '100.100.100.100';
/** tailscaled's limiter: a burst of 5 lines per format, then one per 5 s. */
const RATE_LIMIT_BURST = 5;
const DEFAULT_RATE_LIMIT_INTERVAL_MS = 5000;
/** Transcripts of ended conversations kept for handle.transcript(id). */
const KEPT_TRANSCRIPTS = 1000;

function listenOne(server: Server, plan: ListenPlan, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: plan.host, port, ipv6Only: plan.ipv6Only }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
}

/** Binds every planned socket on one port; with port 0, retries when the second address's port is taken. */
async function listenAll(plans: ListenPlan[], port: number, onSocket: (socket: Socket) => void): Promise<Server[]> {
  for (let attempt = 0; ; attempt++) {
    const servers: Server[] = [];
    try {
      let chosen = port;
      for (const plan of plans) {
        const server = createServer({ allowHalfOpen: true, noDelay: true }, onSocket);
        servers.push(server);
        await listenOne(server, plan, chosen);
        const address = server.address();
        if (address && typeof address === 'object') chosen = address.port;
      }
      return servers;
    } catch (error) {
      await Promise.all(servers.map(closeServer));
      if (port !== 0 || attempt >= 5 || (error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    }
  }
}

export async function startMockSocks(options: MockSocksOptions = {}): Promise<MockSocksHandle> {
  const { host, port } = parseListen(options.listen ?? '127.0.0.1:0');
  const plans = planListen(host, options.bind ?? 'go');
  const tailnet = new TailnetMap(options.peers);
  const faults = new FaultSet(options.seed ?? 1, options.faults);
  const logger = new SocksLogger({
    stream: options.logStream ?? null,
    rateLimit: options.rateLimit ? { burst: RATE_LIMIT_BURST, intervalMs: options.rateLimitIntervalMs ?? DEFAULT_RATE_LIMIT_INTERVAL_MS } : undefined,
  });
  const activity = new ActivityClock();
  const events = new EventEmitter();
  const lifetime = new AbortController();
  // Every dial in flight listens for the server's end: as many as there are connections, not a leak.
  setMaxListeners(0, lifetime.signal);
  const live = new Map<number, Connection>();
  const transcripts = new Map<number, string[]>();
  let nextId = 1;
  logger.on((line) => events.emit('log', line));

  const dialEnv: DialEnvironment = {
    tailnet,
    dialTimeoutMs: options.dialTimeoutMs ?? DEFAULT_DIAL_TIMEOUT_MS,
    allowNonLoopback: options.allowNonLoopback ?? false,
    selfAddress: options.selfAddress ?? DEFAULT_SELF_ADDRESS,
    signal: lifetime.signal,
  };
  const handlers = {
    // tailscaled asks for a password only when a username or a password is set.
    credentials: options.credentials && (options.credentials.user !== '' || options.credentials.pass !== '') ? options.credentials : undefined,
    connect: (conn: Connection, targetHost: string, targetPort: number) => connectCommand(conn, targetHost, targetPort, dialEnv),
    udpAssociate: (conn: Connection) => udpAssociate(conn, dialEnv),
  };
  const emitRecord = (record: ConnectionRecord) => {
    if (record.event === 'close') {
      live.delete(record.id);
      activity.closed();
      if (record.transcript) {
        transcripts.set(record.id, record.transcript);
        // A long-running server keeps the recent conversations only (Map order is insertion order).
        if (transcripts.size > KEPT_TRANSCRIPTS) transcripts.delete(transcripts.keys().next().value as number);
      }
    }
    events.emit('connection', record);
  };

  const onSocket = (socket: Socket) => {
    activity.opened();
    const conn = new Connection(nextId++, socket, { faults, node: activity, logger, transcript: options.transcript ?? false, emit: emitRecord });
    live.set(conn.id, conn);
    events.emit('connection', conn.record('open'));
    // A session that returns is over — a fault's wait cut short by the client included — so its socket
    // is closed here if no step did; and a bug that makes it throw must not leave the socket open.
    runProtocol(conn, handlers).then(() => conn.close(), () => socket.destroy());
  };

  const servers = await listenAll(plans, port, onSocket);
  const addresses = servers.flatMap((server) => {
    const address = server.address();
    if (!address || typeof address === 'string') return [];
    return [{ host: address.address, port: address.port, family: (address.family === 'IPv6' ? 6 : 4) as 4 | 6 }];
  });

  return {
    addresses,
    port: addresses[0]?.port ?? 0,
    setFaults: (specs) => faults.set(specs),
    clearFaults: () => faults.set([]),
    faults: () => faults.specs(),
    addPeer: (peer) => tailnet.add(peer),
    setPeerState: (addressOrName, state) => tailnet.setState(addressOrName, state),
    peers: () => tailnet.specs(),
    connections: () => [...live.values()].map((c) => c.info()),
    kill: (id) => live.get(id)?.socket.destroy(),
    logs: () => logger.lines.slice(),
    transcript: (id) => live.get(id)?.transcriptLines?.slice() ?? transcripts.get(id)?.slice(),
    on(event: 'log' | 'connection', fn: ((line: string) => void) | ((record: ConnectionRecord) => void)) {
      events.on(event, fn as (arg: unknown) => void);
    },
    off(event: 'log' | 'connection', fn: ((line: string) => void) | ((record: ConnectionRecord) => void)) {
      events.off(event, fn as (arg: unknown) => void);
    },
    async close() {
      lifetime.abort();
      const closing = [...live.values()].map((c) => c.closed);
      for (const conn of live.values()) conn.socket.destroy();
      await Promise.all([...servers.map(closeServer), ...closing]);
    },
  };
}
