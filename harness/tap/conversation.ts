// One conversation through the tap: every chunk each side sent (up to a cap), byte counts, and how
// each side ended. Finished, it becomes a Transcript: the handshake read message by message, the
// relay's totals, who closed first and how, and the patterns tailscaled turns into log lines.
import { readHandshake, tailscaledLogFor, type Chunk, type HandshakeReading, type Side } from './annotate.ts';
import { flagsFor, type Flag } from './flags.ts';

/** How a side's stream ended, as the tap saw it: a FIN (end of stream), an RST, or the tap closing it. */
export type EndKind = 'FIN' | 'RST' | 'error' | 'tap';

export interface SideEnd {
  how: EndKind;
  /** ms since the conversation opened. */
  at: number;
  detail?: string;
}

export interface Transcript {
  id: number;
  /** The application's address, as the tap saw it. */
  client: string;
  /** The SOCKS server address the tap dialled (its listening address), and the tap's own end of that connection. */
  server: string;
  via: string;
  /** Wall-clock time the client connected (ISO 8601). */
  openedAt: string;
  durationMs: number;
  handshake: HandshakeReading;
  /** Bytes each side sent after the handshake, and in all. */
  relay: Record<Side, number>;
  total: Record<Side, number>;
  /** The chunks kept, each side's bytes in order; relay bytes past `maxRecordedBytes` per side are counted, not kept. */
  chunks: Chunk[];
  truncated: boolean;
  ends: Partial<Record<Side, SideEnd>>;
  /** The side that ended first (undefined while both are open: the tap was stopped). */
  firstToClose?: Side;
  /** The tap could not reach the SOCKS server. */
  dialError?: string;
  /** The line tailscaled would log for these bytes (after `socks5: client connection failed: `), when they decide it. */
  tailscaledLogs?: string;
  flags: Flag[];
}

export class Conversation {
  readonly chunks: Chunk[] = [];
  readonly total: Record<Side, number> = { client: 0, server: 0 };
  readonly ends: Partial<Record<Side, SideEnd>> = {};
  readonly started = performance.now();
  readonly openedAt = new Date().toISOString();
  firstToClose: Side | undefined;
  via = '';
  server = '';
  dialError: string | undefined;
  private recorded: Record<Side, number> = { client: 0, server: 0 };
  private truncated = false;

  constructor(readonly id: number, readonly client: string, private readonly maxRecordedBytes: number) {}

  elapsed(): number {
    return Math.round((performance.now() - this.started) * 10) / 10;
  }

  record(from: Side, bytes: Buffer): void {
    this.total[from] += bytes.length;
    const room = this.maxRecordedBytes - this.recorded[from];
    if (room <= 0) {
      this.truncated = true;
      return;
    }
    const kept = bytes.length > room ? bytes.subarray(0, room) : bytes;
    if (kept.length < bytes.length) this.truncated = true;
    this.recorded[from] += kept.length;
    // A copy: the socket may reuse its buffer's memory once the handler returns.
    this.chunks.push({ from, bytes: Buffer.from(kept), at: this.elapsed() });
  }

  ended(side: Side, how: EndKind, detail?: string): void {
    if (this.ends[side]) return;
    this.ends[side] = { how, at: this.elapsed(), ...(detail ? { detail } : {}) };
    this.firstToClose ??= side;
  }

  transcript(): Transcript {
    const handshake = readHandshake(this.chunks);
    const logs = this.dialError ? undefined : tailscaledLogFor(handshake, this.firstToClose === 'client');
    const base = {
      id: this.id,
      client: this.client,
      server: this.server,
      via: this.via,
      openedAt: this.openedAt,
      durationMs: this.elapsed(),
      handshake,
      relay: {
        client: this.total.client - handshake.handshakeBytes.client,
        server: this.total.server - handshake.handshakeBytes.server,
      },
      total: { ...this.total },
      chunks: this.chunks,
      truncated: this.truncated,
      ends: { ...this.ends },
      ...(this.firstToClose ? { firstToClose: this.firstToClose } : {}),
      ...(this.dialError ? { dialError: this.dialError } : {}),
      ...(logs ? { tailscaledLogs: logs } : {}),
    };
    return { ...base, flags: flagsFor(base) };
  }
}
