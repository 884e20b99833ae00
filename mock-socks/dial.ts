// CONNECT's outgoing dial: the tailnet map first, then the host network — loopback only unless
// the caller opted in. Failures are Go's error strings, because tailscaled logs them verbatim.
import { connect, isIP, type Socket } from 'node:net';
import { lookup } from 'node:dns/promises';
import { joinHostPort, splitHostPort } from '../common/host-port.ts';
import type { TailnetMap } from './tailnet.ts';

export type DialResult =
  | { ok: true; socket: Socket; bindHost: string; bindPort: number; dialled: string }
  | { ok: false; error: string; dialled?: string };

export interface DialEnvironment {
  tailnet: TailnetMap;
  dialTimeoutMs: number;
  allowNonLoopback: boolean;
  /** This node's tailnet address: the source of every connection into the tailnet. */
  selfAddress: string;
  /** Aborted when the server closes; a dial never outlives its server. */
  signal: AbortSignal;
}

/** Go's error text for the errno of a failed connect(2). */
const ERRNO_TEXT: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENETUNREACH: 'network is unreachable',
  EHOSTUNREACH: 'no route to host',
  EADDRNOTAVAIL: 'cannot assign requested address',
  ETIMEDOUT: 'connection timed out',
  EACCES: 'permission denied',
  EAFNOSUPPORT: 'address family not supported by protocol',
};

// gVisor's netstack words a RST from a tailnet peer this way (tcpip.ErrConnectionRefused).
const NETSTACK_REFUSED = 'connection was refused';
// The dial context's deadline: what a down, ACL-blocked or not-yet-logged-in peer ends in.
export const DEADLINE_EXCEEDED = 'context deadline exceeded';

export function isLoopback(host: string): boolean {
  const plain = host.replace(/^::ffff:/i, '');
  if (isIP(plain) === 4) return plain.split('.')[0] === '127';
  return isIP(host) === 6 && /^(0{0,4}:){2,7}0{0,3}1$|^::1$/.test(host);
}

function errnoText(error: unknown): string {
  const err = error as NodeJS.ErrnoException;
  return ERRNO_TEXT[err.code ?? ''] ?? err.message;
}

type RawConnect = { ok: true; socket: Socket } | { ok: false; error: unknown; timedOut: boolean };

/** One TCP connect with a deadline; the socket is destroyed on every failure path. */
function connectWithin(host: string, port: number, budgetMs: number, signal: AbortSignal): Promise<RawConnect> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, noDelay: true });
    const finish = (result: RawConnect) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      socket.off('connect', onConnect);
      socket.off('error', onError);
      if (!result.ok) socket.destroy();
      resolve(result);
    };
    const onConnect = () => finish({ ok: true, socket });
    const onError = (error: unknown) => finish({ ok: false, error, timedOut: false });
    const onAbort = () => finish({ ok: false, error: new Error('server closed'), timedOut: true });
    const timer = setTimeout(() => finish({ ok: false, error: new Error('i/o timeout'), timedOut: true }), Math.max(0, budgetMs));
    socket.once('connect', onConnect);
    socket.once('error', onError);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Waits out the whole budget, as a dial into a tailnet peer that never answers does. */
function waitBudget(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

function localPart(socket: Socket): { host: string; port: number } {
  return { host: socket.localAddress ?? '127.0.0.1', port: socket.localPort ?? 0 };
}

async function dialTailnet(address: string, port: number, env: DialEnvironment, started: number): Promise<DialResult> {
  const target = env.tailnet.resolve(address);
  const peer = target.kind === 'tailnet' ? target.peer : undefined;
  const refused = `connect tcp ${joinHostPort(address, port)}: ${NETSTACK_REFUSED}`;
  if (!peer || peer.state === 'down') {
    await waitBudget(env.dialTimeoutMs - (Date.now() - started), env.signal);
    return { ok: false, error: DEADLINE_EXCEEDED };
  }
  const local = peer.ports.get(port);
  // The peer's port map was checked when the peer was added (tailnet.ts), so `endpoint` is there.
  const endpoint = local === undefined ? undefined : splitHostPort(local);
  if (peer.state === 'refusing' || local === undefined || !endpoint) return { ok: false, error: refused };
  if (!isLoopback(endpoint.host) && !env.allowNonLoopback) return { ok: false, error: refused };
  const raw = await connectWithin(endpoint.host, endpoint.port, env.dialTimeoutMs - (Date.now() - started), env.signal);
  if (!raw.ok) return { ok: false, error: raw.timedOut ? DEADLINE_EXCEEDED : refused, dialled: local };
  return { ok: true, socket: raw.socket, bindHost: env.selfAddress, bindPort: localPart(raw.socket).port, dialled: local };
}

/** A host-network dial with Go's messages: `dial tcp 127.0.0.1:1: connect: connection refused`. */
async function dialHost(host: string, port: number, env: DialEnvironment, started: number): Promise<DialResult> {
  const label = joinHostPort(host, port);
  let candidates: string[];
  if (host === '') candidates = ['127.0.0.1'];
  else if (isIP(host)) candidates = [host];
  else if (host.toLowerCase() === 'localhost') candidates = ['127.0.0.1', '::1'];
  else if (env.allowNonLoopback) {
    try {
      candidates = (await lookup(host, { all: true })).map((a) => a.address);
    } catch {
      return { ok: false, error: `dial tcp: lookup ${host}: no such host` };
    }
  } else {
    // Resolving an arbitrary name could itself send a packet off the machine.
    return { ok: false, error: `dial tcp: lookup ${host}: no such host` };
  }
  let firstError: string | undefined;
  for (const address of candidates) {
    const shown = host === '' ? label : joinHostPort(address, port);
    if (!isLoopback(address) && !env.allowNonLoopback) {
      firstError ??= `dial tcp ${shown}: connect: ${ERRNO_TEXT.ENETUNREACH}`;
      continue;
    }
    const raw = await connectWithin(address, port, env.dialTimeoutMs - (Date.now() - started), env.signal);
    if (raw.ok) {
      const local = localPart(raw.socket);
      return { ok: true, socket: raw.socket, bindHost: local.host, bindPort: local.port, dialled: joinHostPort(address, port) };
    }
    firstError ??= raw.timedOut ? `dial tcp ${shown}: i/o timeout` : `dial tcp ${shown}: connect: ${errnoText(raw.error)}`;
    if (raw.timedOut) break;
  }
  return { ok: false, error: firstError ?? `dial tcp ${label}: connect: ${ERRNO_TEXT.ENETUNREACH}` };
}

export async function dialDestination(host: string, port: number, env: DialEnvironment): Promise<DialResult> {
  const started = Date.now();
  const target = env.tailnet.resolve(host);
  if (target.kind === 'tailnet') return dialTailnet(target.address, port, env, started);
  return dialHost(host, port, env, started);
}
