// Exact-length reads over a socket, as Go's io.ReadFull: the handshake takes precisely the bytes
// each step needs and leaves the rest queued, so bytes a client pipelines behind its request are
// handed to the relay untouched.
import type { Socket } from 'node:net';

/** A byte queue: chunks in, exact-length slices out. Pure; no socket. */
export class ByteQueue {
  private chunks: Buffer[] = [];
  length = 0;

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  /** The first n bytes, or undefined (and nothing consumed) while fewer are queued. */
  take(n: number): Buffer | undefined {
    if (n > this.length) return undefined;
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const head = this.chunks[0] as Buffer;
      const used = Math.min(head.length, n - filled);
      head.copy(out, filled, 0, used);
      filled += used;
      if (used === head.length) this.chunks.shift();
      else this.chunks[0] = head.subarray(used);
    }
    this.length -= n;
    return out;
  }

  takeAll(): Buffer {
    const out = Buffer.concat(this.chunks, this.length);
    this.chunks = [];
    this.length = 0;
    return out;
  }
}

/** Past this many queued bytes the socket is paused, so a flooding client is held by TCP, not by memory. */
const HIGH_WATER_BYTES = 64 * 1024;

/** Reads a socket in exact lengths until the relay takes over. */
export class SocketReader {
  private readonly queue = new ByteQueue();
  private ended = false;
  private waiter: { n: number; resolve: (bytes: Buffer | null) => void } | undefined;
  private readonly onData = (chunk: Buffer) => {
    this.queue.push(chunk);
    if (this.queue.length > HIGH_WATER_BYTES) this.socket.pause();
    this.settle();
  };
  private readonly onEnd = () => {
    this.ended = true;
    this.settle();
  };

  constructor(private readonly socket: Socket) {
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('close', this.onEnd);
  }

  /** Exactly n bytes, or null when the peer closed (or half-closed) first — Go's io.ReadFull error. */
  readExact(n: number): Promise<Buffer | null> {
    return new Promise((resolve) => {
      this.waiter = { n, resolve };
      this.settle();
    });
  }

  /** Reads and discards until the peer goes away (a server that never answers still drains its socket). */
  async discardUntilEnd(): Promise<void> {
    while ((await this.readExact(1)) !== null) this.queue.takeAll();
  }

  /** Stops reading; returns the bytes that arrived but were not consumed (they belong to the relay). */
  detach(): Buffer {
    this.socket.off('data', this.onData);
    this.socket.off('end', this.onEnd);
    this.socket.off('close', this.onEnd);
    return this.queue.takeAll();
  }

  private settle(): void {
    const waiter = this.waiter;
    if (!waiter) return;
    const bytes = this.queue.take(waiter.n);
    if (bytes) {
      this.waiter = undefined;
      if (this.queue.length <= HIGH_WATER_BYTES && !this.ended) this.socket.resume();
      waiter.resolve(bytes);
    } else if (this.ended) {
      this.waiter = undefined;
      waiter.resolve(null);
    } else {
      this.socket.resume();
    }
  }
}
