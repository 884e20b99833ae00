// Runs fuzz conversations against in-process servers over real loopback sockets, with every
// outgoing TCP connect and UDP send of the process watched: anything not on loopback is a failure.
import { Socket, createServer, type AddressInfo } from 'node:net';
import dgram from 'node:dgram';
import { startMockSocks } from '../server.ts';
import { isLoopback } from '../dial.ts';
import { mulberry32 } from '../../common/prng.ts';
import { conversation, udpConversation, type Conversation, type FuzzTargets, type UdpConversation } from './conversations.ts';
import type { FaultSpec, MockSocksHandle } from '../types.ts';

export interface FuzzOptions {
  count: number;
  seed?: number;
  concurrency?: number;
  /** Faults drawn at low toxicity so their code paths are fuzzed too; all waits ms-sized. */
  withFaults?: boolean;
}

export interface FuzzReport {
  conversations: number;
  wallMs: number;
  /** CPU time of the process for the run (user + system): what the run costs on an idle machine. */
  cpuMs: number;
  nonLoopbackDials: string[];
  unhandled: string[];
  /** Datagrams the UDP relay delivered to the echo target: proof the UDP path was exercised. */
  udpDatagramsRelayed: number;
  /** Conversations the server never ended (client gave up waiting). */
  stuck: number;
  handlesBefore: number;
  handlesAfter: number;
  serverConnectionsAfter: number;
}

const FUZZ_FAULTS: FaultSpec[] = [
  { type: 'slow-handshake', attributes: { delayMs: 2 }, toxicity: 0.05 },
  { type: 'truncate-reply', attributes: { mode: 'chunked', chunkBytes: 1, delayMs: 1 }, toxicity: 0.05 },
  { type: 'truncate-reply', name: 'truncate-close', attributes: { mode: 'close-after', bytes: 3 }, toxicity: 0.03 },
  { type: 'reply-code', attributes: { code: 5, delayMs: 1 }, toxicity: 0.03 },
  { type: 'reset', where: 'greeting', toxicity: 0.02 },
  { type: 'reset', name: 'reset-relay', where: 'downstream', attributes: { afterBytes: 3 }, toxicity: 0.03 },
  { type: 'latency', attributes: { latencyMs: 2, jitterMs: 1 }, toxicity: 0.05 },
  { type: 'slicer', attributes: { averageSizeBytes: 3, sizeVariationBytes: 1 }, toxicity: 0.05 },
  { type: 'limit-data', attributes: { bytes: 4 }, toxicity: 0.03 },
  { type: 'timeout', attributes: { timeoutMs: 5 }, toxicity: 0.02 },
  { type: 'not-socks', toxicity: 0.02 },
  { type: 'blackhole', toxicity: 0.02 },
  { type: 'throttled-between-requests', attributes: { idleMs: 2, stallMs: 3, failConnects: 1 }, toxicity: 0.05 },
];

/** Live libuv handles of the kinds a leak would show up as. */
export function socketHandleCount(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'TCPServerWrap' || r === 'UDPWrap').length;
}

/** Wraps Socket#connect and dgram Socket#send to record every destination; returns the undo. */
export function watchDestinations(record: (host: string) => void): () => void {
  const connect = Socket.prototype.connect;
  const send = dgram.Socket.prototype.send;
  Socket.prototype.connect = function (this: Socket, ...args: unknown[]) {
    const first = args[0] as { host?: string; port?: number; path?: string } | number | unknown[];
    const options = Array.isArray(first) ? (first[0] as { host?: string }) : first;
    if (typeof options === 'object' && options && !('path' in options && options.path)) record(options.host ?? 'localhost');
    else if (typeof options === 'number') record(typeof args[1] === 'string' ? args[1] : 'localhost');
    return (connect as (...a: unknown[]) => Socket).apply(this, args);
  } as typeof connect;
  dgram.Socket.prototype.send = function (this: dgram.Socket, ...args: unknown[]) {
    const address = args.find((a, i) => i > 0 && typeof a === 'string');
    record(typeof address === 'string' ? address : 'localhost');
    return (send as (...a: unknown[]) => void).apply(this, args);
  } as typeof send;
  return () => {
    Socket.prototype.connect = connect;
    dgram.Socket.prototype.send = send;
  };
}

function startEchoServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer({ allowHalfOpen: false }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.pipe(socket);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((done) => {
      for (const s of sockets) s.destroy();
      server.close(() => done());
    }),
  })));
}

function closedPort(): Promise<number> {
  const server = createServer();
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const port = (server.address() as AddressInfo).port;
    server.close(() => resolve(port));
  }));
}

/** How many server pairs and echo targets a run spreads its connections over, and how many
 * loopback source addresses its clients use: a long run through one 4-tuple space makes every
 * connect() search past tens of thousands of TIME_WAIT sockets. */
const SPREAD = 4;
const SOURCE_ADDRESSES = 32;
/** A conversation the server has not ended by then counts as stuck. Every server-side wait in a run is
 * ms-sized, so this only needs headroom for a machine starved of CPU by other work. */
const GIVE_UP_MS = 10_000;

/** Plays one conversation; resolves true when the connection ended, false when it had to be abandoned. */
function play(port: number, localAddress: string, plan: Conversation, giveUpMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    let done = false;
    const finish = (ended: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(ended);
    };
    const timer = setTimeout(() => finish(false), giveUpMs);
    socket.on('error', () => {});
    socket.on('close', () => finish(true));
    socket.on('data', () => {});
    socket.connect({ port, host: '127.0.0.1', localAddress }, () => {
      for (const chunk of plan.chunks) socket.write(chunk);
      if (plan.end === 'shutdown') socket.end();
      else if (plan.end === 'destroy') setImmediate(() => socket.destroy());
      else setImmediate(() => socket.resetAndDestroy());
    });
  });
}

function startUdpEcho(): Promise<{ port: number; echoed: () => number; close(): void }> {
  const socket = dgram.createSocket('udp4');
  let echoed = 0;
  socket.on('message', (message, from) => {
    echoed += 1;
    socket.send(message, from.port, from.address);
  });
  return new Promise((resolve) => socket.bind(0, '127.0.0.1', () => resolve({ port: socket.address().port, echoed: () => echoed, close: () => socket.close() })));
}

const UDP_ASSOCIATE_REQUEST = Buffer.from('05030001000000000000', 'hex');

/** A UDP association: handshake, datagrams to the relay port from the reply, then the TCP end.
 * Resolves true when the connection ended, false when it had to be abandoned. */
function playUdp(port: number, plan: UdpConversation, credentials: { user: string; pass: string }, giveUpMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const udp = dgram.createSocket('udp4');
    udp.on('error', () => {});
    let received = Buffer.alloc(0);
    let done = false;
    const finish = (ended: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearTimeout(patience);
      socket.destroy();
      udp.close();
      resolve(ended);
    };
    const timer = setTimeout(() => finish(false), giveUpMs);
    // greeting reply (2) [+ auth reply (2)] + the 10-byte UDP ASSOCIATE reply.
    const replyLength = plan.auth ? 14 : 12;
    socket.on('error', () => {});
    socket.on('close', () => finish(true));
    // A fault may keep the reply from ever coming (blackhole): the client ends the association itself.
    const patience = setTimeout(() => socket.end(), UDP_PATIENCE_MS);
    socket.on('data', (chunk: Buffer) => {
      const before = received.length;
      received = Buffer.concat([received, chunk]);
      if (before >= replyLength || received.length < replyLength) return;
      clearTimeout(patience);
      const succeeded = received[replyLength - 10] === 5 && received[replyLength - 9] === 0;
      if (!succeeded) return void socket.end();
      const relayPort = received.readUInt16BE(replyLength - 2);
      let pending = plan.datagrams.length;
      for (const datagram of plan.datagrams) udp.send(datagram, relayPort, '127.0.0.1', () => --pending === 0 && socket.end());
    });
    socket.connect({ port, host: '127.0.0.1' }, () => {
      const auth = plan.auth
        ? Buffer.concat([Buffer.from([1, credentials.user.length]), Buffer.from(credentials.user), Buffer.from([credentials.pass.length]), Buffer.from(credentials.pass)])
        : Buffer.alloc(0);
      socket.write(Buffer.concat([Buffer.from(plan.auth ? [5, 1, 2] : [5, 1, 0]), auth, UDP_ASSOCIATE_REQUEST]));
    });
  });
}

/** One conversation in this many is a UDP association. */
const UDP_EVERY = 25;
/** How long a UDP conversation waits for the server's reply before ending the association itself. */
const UDP_PATIENCE_MS = 100;

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const random = mulberry32(options.seed ?? 1);
  const concurrency = options.concurrency ?? 64;
  const unhandled: string[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(String((reason as Error)?.stack ?? reason));
  process.on('unhandledRejection', onUnhandled);
  process.on('uncaughtException', onUnhandled);
  const handlesBefore = socketHandleCount();

  const nonLoopbackDials: string[] = [];
  const unwatch = watchDestinations((host) => {
    if (!isLoopback(host) && host.toLowerCase() !== 'localhost') nonLoopbackDials.push(host);
  });
  const echoes = await Promise.all(Array.from({ length: SPREAD }, startEchoServer));
  const udpEcho = await startUdpEcho();
  const targets: FuzzTargets = {
    udpEchoPort: udpEcho.port,
    echoPorts: echoes.map((e) => e.port),
    closedPort: await closedPort(),
    peerAddress: '100.84.184.84',
    peerNames: ['devbox', 'DevBox.tail1234.ts.net'],
    unknownTailnetAddress: '100.101.102.103',
    credentials: { user: 'u', pass: 'p' },
  };
  const peers = [{ address: targets.peerAddress, names: ['devbox', 'devbox.tail1234.ts.net'], ports: { 80: `127.0.0.1:${echoes[0]?.port ?? 0}` } }];
  const common = { peers, dialTimeoutMs: 10, seed: options.seed ?? 1, faults: options.withFaults === false ? [] : FUZZ_FAULTS };
  const plain = await Promise.all(Array.from({ length: SPREAD }, () => startMockSocks(common)));
  const withAuth = await Promise.all(Array.from({ length: SPREAD }, () => startMockSocks({ ...common, credentials: targets.credentials })));
  const servers = [...plain, ...withAuth];

  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  let next = 0;
  let stuck = 0;
  const worker = async () => {
    while (next < options.count) {
      next += 1;
      if (next % UDP_EVERY === 0) {
        const plan = udpConversation(random, targets);
        const server = (plan.auth ? withAuth : plain)[next % SPREAD] as MockSocksHandle;
        if (!(await playUdp(server.port, plan, targets.credentials, GIVE_UP_MS))) stuck += 1;
        continue;
      }
      const plan = conversation(random, targets);
      const server = (plan.auth ? withAuth : plain)[next % SPREAD] as MockSocksHandle;
      const source = `127.0.0.${1 + (next % SOURCE_ADDRESSES)}`;
      if (!(await play(server.port, source, plan, GIVE_UP_MS))) stuck += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);

  // The server may still be tearing down the last sessions; wait for the counts, not a fixed time.
  for (let i = 0; i < 200 && servers.some((s) => s.connections().length > 0); i++) await new Promise((r) => setTimeout(r, 10));
  const serverConnectionsAfter = servers.reduce((n, s) => n + s.connections().length, 0);
  await Promise.all(servers.map((s) => s.close()));
  await Promise.all(echoes.map((e) => e.close()));
  udpEcho.close();
  unwatch();
  let handlesAfter = socketHandleCount();
  for (let i = 0; i < 200 && handlesAfter > handlesBefore; i++) {
    await new Promise((r) => setTimeout(r, 10));
    handlesAfter = socketHandleCount();
  }
  process.off('unhandledRejection', onUnhandled);
  process.off('uncaughtException', onUnhandled);
  return { conversations: options.count, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, udpDatagramsRelayed: udpEcho.echoed(), nonLoopbackDials, unhandled, stuck, handlesBefore, handlesAfter, serverConnectionsAfter };
}
