// An http.Agent whose sockets are SOCKS tunnels: keep-alive then reuses a tunnel for the next
// request instead of paying a TCP connect + greeting + CONNECT each time.
import { Agent, type AgentOptions } from 'node:http';
import type { Duplex } from 'node:stream';
import type { DialLimits, Dialer, SocksTunnel } from '../socks/dial.ts';

type CreateCallback = (error: Error | null, socket?: Duplex) => void;

/** Node hands a request's options on to createConnection: a new tunnel's dial limits ride in them. */
const dialLimitsKey = 'socksDialLimits';

/** Request options that give the request's tunnel, if one is opened for it, these limits. */
export function tunnelLimits(limits: DialLimits): Record<typeof dialLimitsKey, DialLimits> {
  return { [dialLimitsKey]: limits };
}

export class SocksAgent extends Agent {
  private readonly dialer: Dialer;
  /** Tunnels this agent opened and not yet reported to a request's access record. */
  private readonly fresh = new WeakMap<Duplex, SocksTunnel>();

  constructor(dialer: Dialer, options: AgentOptions = {}) {
    super({ keepAlive: true, scheduling: 'lifo', ...options });
    this.dialer = dialer;
  }

  // Node's Agent accepts a socket through the callback when createConnection returns nothing.
  override createConnection(options: { host?: string | null; port?: number | string | null; [dialLimitsKey]?: DialLimits }, callback: CreateCallback): undefined {
    this.dialer.dial({ host: options.host ?? 'localhost', port: Number(options.port ?? 80) }, options[dialLimitsKey]).then(
      (tunnel) => {
        this.fresh.set(tunnel.socket, tunnel);
        callback(null, tunnel.socket);
      },
      (error: Error) => callback(error),
    );
    return undefined;
  }

  /** The dial of `socket` if it was opened for this request; undefined for a reused tunnel. */
  takeFreshTunnel(socket: Duplex): SocksTunnel | undefined {
    const tunnel = this.fresh.get(socket);
    this.fresh.delete(socket);
    return tunnel;
  }
}
