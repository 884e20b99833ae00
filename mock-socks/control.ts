// `mock-socks --control HOST:PORT`: the running mock driven over HTTP, as Toxiproxy's API drives its
// proxies — faults, peer states, live connections, logs and the hex transcripts of recent
// conversations. JSON in, JSON out; errors are `{ code, error }`. Loopback only: the API can kill
// connections and switch faults, so it must not be reachable from the network.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isLoopback } from './dial.ts';
import { parseListen, planListen } from './bind.ts';
import { joinHostPort } from '../common/host-port.ts';
import type { ConnectionRecord, FaultSpec, MockSocksHandle, PeerSpec, PeerState } from './types.ts';

/** Ended conversations `GET /conversations` shows, newest last. */
const RECENT_CONVERSATIONS = 100;
const MAX_BODY_BYTES = 64 * 1024;

export class ControlError extends Error {
  constructor(readonly code: string, message: string, readonly status = 400) {
    super(message);
  }
}

export interface ControlServer {
  /** `http://HOST:PORT` */
  url: string;
  close(): Promise<void>;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new ControlError('ERR_BODY_TOO_LARGE', `body over ${MAX_BODY_BYTES} bytes`, 413);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new ControlError('ERR_BAD_JSON', 'the body must be JSON');
  }
}

function asObject(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ControlError('ERR_BAD_BODY', `${what} must be a JSON object`);
  return value as Record<string, unknown>;
}

function asFault(value: unknown): FaultSpec {
  const fault = asObject(value, 'a fault');
  if (typeof fault.type !== 'string') throw new ControlError('ERR_BAD_BODY', "a fault needs a string 'type'");
  return fault as unknown as FaultSpec;
}

const nameOf = (fault: FaultSpec) => fault.name ?? fault.type;

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body) + '\n');
}

function sendLines(res: ServerResponse, lines: string[]): void {
  res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }).end(lines.map((l) => l + '\n').join(''));
}

/** Runs a handle call whose refusal (a bad fault, an unknown peer) is the caller's mistake: a 4xx with the handle's code. */
function applying<T>(change: () => T): T {
  try {
    return change();
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'ERR_CONTROL';
    throw new ControlError(code, (error as Error).message, code === 'ERR_NO_PEER' ? 404 : 400);
  }
}

class ControlRoutes {
  private readonly ended: ConnectionRecord[] = [];

  constructor(private readonly socks: MockSocksHandle) {
    socks.on('connection', (record) => {
      if (record.event !== 'close') return;
      this.ended.push(record);
      if (this.ended.length > RECENT_CONVERSATIONS) this.ended.shift();
    });
  }

  async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://control').pathname;
    const [, collection = '', item, extra] = path.split('/').map(decodeURIComponent);
    if (extra !== undefined) throw new ControlError('ERR_NO_ROUTE', `no route ${req.method} ${path}`, 404);
    const route = `${req.method} /${collection}${item === undefined ? '' : '/:item'}`;
    switch (route) {
      case 'GET /faults':
        return sendJson(res, 200, this.socks.faults());
      case 'PUT /faults': {
        const body = await readJson(req);
        if (!Array.isArray(body)) throw new ControlError('ERR_BAD_BODY', 'PUT /faults takes the whole list: a JSON array of faults');
        applying(() => this.socks.setFaults(body.map(asFault)));
        return sendJson(res, 200, this.socks.faults());
      }
      case 'POST /faults': {
        // Toxiproxy-style: one fault added, replacing the one of the same name.
        const fault = asFault(await readJson(req));
        applying(() => this.socks.setFaults([...this.socks.faults().filter((f) => nameOf(f) !== nameOf(fault)), fault]));
        return sendJson(res, 201, fault);
      }
      case 'DELETE /faults':
        this.socks.clearFaults();
        return sendJson(res, 200, []);
      case 'DELETE /faults/:item': {
        const current = this.socks.faults();
        if (!current.some((f) => nameOf(f) === item)) throw new ControlError('ERR_NO_FAULT', `no fault named ${JSON.stringify(item)}`, 404);
        this.socks.setFaults(current.filter((f) => nameOf(f) !== item));
        return sendJson(res, 200, this.socks.faults());
      }
      case 'GET /peers':
        return sendJson(res, 200, this.socks.peers());
      case 'POST /peers': {
        const peer = asObject(await readJson(req), 'a peer') as unknown as PeerSpec;
        applying(() => this.socks.addPeer(peer));
        return sendJson(res, 201, this.socks.peers().find((p) => p.address === peer.address));
      }
      case 'POST /peers/:item': {
        const { state } = asObject(await readJson(req), 'the body');
        applying(() => this.socks.setPeerState(item as string, state as PeerState));
        return sendJson(res, 200, this.socks.peers().find((p) => p.address === item || p.names.includes((item as string).toLowerCase())));
      }
      case 'GET /connections':
        return sendJson(res, 200, this.socks.connections());
      case 'DELETE /connections/:item': {
        const id = Number(item);
        if (!this.socks.connections().some((c) => c.id === id)) throw new ControlError('ERR_NO_CONNECTION', `no live connection ${item}`, 404);
        this.socks.kill(id);
        return sendJson(res, 200, { id });
      }
      case 'GET /conversations':
        return sendJson(res, 200, this.ended);
      case 'GET /transcripts/:item': {
        const lines = this.socks.transcript(Number(item));
        if (!lines) throw new ControlError('ERR_NO_TRANSCRIPT', `no transcript for connection ${item}`, 404);
        return sendLines(res, lines);
      }
      case 'GET /logs':
        return sendLines(res, this.socks.logs());
      default:
        throw new ControlError('ERR_NO_ROUTE', `no route ${req.method} ${path}`, 404);
    }
  }
}

function loopbackPlan(listen: string): { host: string; port: number } {
  try {
    const { host, port } = parseListen(listen);
    const plan = planListen(host, 'go')[0];
    if (plan && isLoopback(plan.host)) return { host: plan.host, port };
  } catch {
    // Reported below, in the flag's own words.
  }
  throw new ControlError('ERR_LISTEN_ADDRESS', `--control must be a loopback HOST:PORT (localhost, 127.0.0.0/8 or [::1]), got '${listen}'`);
}

/** Starts the control API for a running mock on `listen` (a loopback HOST:PORT; port 0 picks one). */
export async function startControl(socks: MockSocksHandle, listen: string): Promise<ControlServer> {
  const plan = loopbackPlan(listen);
  const routes = new ControlRoutes(socks);
  const server: Server = createServer((req, res) => {
    routes.route(req, res).catch((error: unknown) => {
      if (error instanceof ControlError) return sendJson(res, error.status, { code: error.code, error: error.message });
      sendJson(res, 500, { code: 'ERR_CONTROL', error: (error as Error).message });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: plan.host, port: plan.port }, () => resolve());
  });
  const address = server.address();
  const bound = typeof address === 'object' && address ? joinHostPort(address.address, address.port) : listen;
  return {
    url: `http://${bound}`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
