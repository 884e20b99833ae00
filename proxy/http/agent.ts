// An http.Agent whose sockets are SOCKS tunnels: keep-alive then reuses a tunnel for the next
// request instead of paying a TCP connect + greeting + CONNECT each time.
import { Agent, type AgentOptions } from 'node:http';
import type { Duplex } from 'node:stream';
import type { SocksDialer } from '../socks/dial.ts';

type CreateCallback = (error: Error | null, socket?: Duplex) => void;

export class SocksAgent extends Agent {
  private readonly dialer: SocksDialer;

  constructor(dialer: SocksDialer, options: AgentOptions = {}) {
    super({ keepAlive: true, scheduling: 'lifo', ...options });
    this.dialer = dialer;
  }

  // Node's Agent accepts a socket through the callback when createConnection returns nothing.
  override createConnection(options: { host?: string | null; port?: number | string | null }, callback: CreateCallback): undefined {
    this.dialer.dial({ host: options.host ?? 'localhost', port: Number(options.port ?? 80) }).then(
      (tunnel) => callback(null, tunnel.socket),
      (error: Error) => callback(error),
    );
    return undefined;
  }
}
