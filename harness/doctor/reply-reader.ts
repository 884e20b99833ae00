// Exact-length reads of a server's replies with a deadline, keeping what a client library hides:
// how many reads a reply arrived in, whether it came after the deadline (and how late), and how
// the server ended the connection (FIN or RST) when it did not answer.
import type { Socket } from 'node:net';

export type ReadOutcome =
  | { kind: 'ok'; bytes: Buffer; pieces: number; ms: number; late: boolean }
  | { kind: 'closed'; bytes: Buffer; how: 'FIN' | 'RST'; ms: number }
  /** Nothing (or not enough) within the deadline plus the patience after it. */
  | { kind: 'silent'; bytes: Buffer; ms: number };

/** Enough to tell any SOCKS5 or RFC 1929 reply's length (ATYP and a domain's length byte). */
const HEAD_BYTES = 8;
const MAX_QUEUED_BYTES = 64 * 1024;

export class ReplyReader {
  private queue: Buffer[] = [];
  private queued = 0;
  private ended: 'FIN' | 'RST' | undefined;
  private wake: (() => void) | undefined;

  private readonly onData = (chunk: Buffer) => {
    this.queue.push(chunk);
    this.queued += chunk.length;
    // A reply is at most 262 bytes: a server that floods is held by TCP, not by the doctor's memory.
    if (this.queued > MAX_QUEUED_BYTES) this.socket.pause();
    this.wake?.();
  };
  private readonly onEnd = () => this.end('FIN');
  private readonly onError = (error: NodeJS.ErrnoException) => this.end(error.code === 'ECONNRESET' ? 'RST' : 'FIN');

  constructor(private readonly socket: Socket) {
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('error', this.onError);
    socket.on('close', this.onEnd);
  }

  /** Hands the socket on (to HTTP or a WebSocket): bytes not read yet go back in front of its stream. */
  detach(): Socket {
    this.socket.off('data', this.onData);
    this.socket.off('end', this.onEnd);
    this.socket.off('error', this.onError);
    this.socket.off('close', this.onEnd);
    if (this.queued > 0) this.socket.unshift(this.take(this.queued).bytes);
    return this.socket;
  }

  private end(how: 'FIN' | 'RST'): void {
    this.ended ??= how;
    this.wake?.();
  }

  /**
   * Exactly `n` bytes. An answer after `deadlineMs` but within `patienceMs` more is returned as
   * `late` (a slow server, not a dead one); past both, `silent`.
   */
  readExact(n: number, deadlineMs: number, patienceMs = 0): Promise<ReadOutcome> {
    return this.readMessage(() => n, deadlineMs, patienceMs);
  }

  /**
   * One message whose length `lengthOf` tells from its first bytes (undefined: more bytes needed to
   * tell), taken in one go so that `pieces` counts the reads the whole message arrived in.
   */
  async readMessage(lengthOf: (head: Buffer) => number | undefined, deadlineMs: number, patienceMs = 0): Promise<ReadOutcome & { needed: number }> {
    const started = performance.now();
    const elapsed = () => Math.round((performance.now() - started) * 10) / 10;
    for (;;) {
      const head = this.head(HEAD_BYTES);
      const needed = lengthOf(head) ?? head.length + 1;
      if (this.queued >= needed) {
        const { bytes, pieces } = this.take(needed);
        const ms = elapsed();
        return { kind: 'ok', bytes, pieces, ms, late: ms > deadlineMs, needed };
      }
      if (this.ended) return { kind: 'closed', bytes: this.take(this.queued).bytes, how: this.ended, ms: elapsed(), needed };
      const left = deadlineMs + patienceMs - (performance.now() - started);
      if (left <= 0) return { kind: 'silent', bytes: this.take(this.queued).bytes, ms: elapsed(), needed };
      await this.next(left);
    }
  }

  /** Whatever arrives until the server closes or `waitMs` passes, at most `maxBytes` (a foreign server's answer). */
  async readRest(maxBytes: number, waitMs: number): Promise<Buffer> {
    const started = performance.now();
    while (!this.ended && this.queued < maxBytes) {
      const left = waitMs - (performance.now() - started);
      if (left <= 0) break;
      await this.next(left);
    }
    return this.take(Math.min(this.queued, maxBytes)).bytes;
  }

  private next(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  /** Up to n queued bytes, not consumed. */
  private head(n: number): Buffer {
    const parts: Buffer[] = [];
    let size = 0;
    for (const chunk of this.queue) {
      if (size >= n) break;
      parts.push(chunk);
      size += chunk.length;
    }
    return Buffer.concat(parts).subarray(0, n);
  }

  /** The first n queued bytes and the number of reads they came in. */
  private take(n: number): { bytes: Buffer; pieces: number } {
    const parts: Buffer[] = [];
    let filled = 0;
    while (filled < n) {
      const head = this.queue[0] as Buffer;
      const used = Math.min(head.length, n - filled);
      parts.push(head.subarray(0, used));
      filled += used;
      if (used === head.length) this.queue.shift();
      else this.queue[0] = head.subarray(used);
    }
    this.queued -= n;
    if (this.queued <= MAX_QUEUED_BYTES && this.socket.isPaused()) this.socket.resume();
    return { bytes: Buffer.concat(parts), pieces: parts.length };
  }
}
