// A raw SOCKS client for tests: writes exact bytes, records every byte the server sends and how
// the connection ended. Waits are on events (bytes arriving, close), never on wall-clock guesses.
import { connect, type Socket } from 'node:net';

export class RawClient {
  received = Buffer.alloc(0);
  ended: 'closed' | 'reset' | undefined;
  private readonly waiters = new Set<() => void>();

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.received = Buffer.concat([this.received, chunk]);
      this.notify();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNRESET') this.ended = 'reset';
    });
    // The server's FIN is its close: this client is half-open so it can still send after it.
    socket.on('end', () => {
      this.ended ??= 'closed';
      this.notify();
    });
    socket.on('close', () => {
      this.ended ??= 'closed';
      this.notify();
    });
  }

  static open(port: number, host = '127.0.0.1'): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port, allowHalfOpen: true });
      socket.once('connect', () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  send(hex: string): void {
    this.socket.write(Buffer.from(hex, 'hex'));
  }

  shutdown(): void {
    this.socket.end();
  }

  get hex(): string {
    return this.received.toString('hex');
  }

  /** Resolves when the predicate holds; rejects after timeoutMs (a safety net, not a sleep). */
  until(predicate: () => boolean, timeoutMs = 3000): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!predicate()) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out waiting; received ${this.hex}, ended ${String(this.ended)}`));
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  bytes(n: number, timeoutMs?: number): Promise<void> {
    return this.until(() => this.received.length >= n || this.ended !== undefined, timeoutMs);
  }

  closed(timeoutMs?: number): Promise<void> {
    return this.until(() => this.ended !== undefined, timeoutMs);
  }

  destroy(): void {
    this.socket.destroy();
  }

  private notify(): void {
    for (const fn of [...this.waiters]) fn();
  }
}

export const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
