// Two PersistentSessions joined by an in-memory "socket" that can be cut at any byte and replaced,
// standing in for a WebSocket that drops and a client that reconnects with the same token.
import { concatBytes } from '../common/bytes.ts';
import { protocolTimings } from '../common/clock.ts';
import { ProtocolReader, type ProtocolMessage } from '../common/framing.ts';
import { PersistentSession } from '../common/persistent-session.ts';
import { FrameWriter } from '../common/writer.ts';
import type { ManualClock } from './manual-clock.ts';

export interface Peer {
  session: PersistentSession;
  received: Uint8Array[];
  timeouts: number;
  /** Every message this peer's socket delivered to it, in order (for timing assertions). */
  log: { at: number; message: ProtocolMessage }[];
}

interface Link {
  inFlight: Uint8Array[];
  reader: ProtocolReader;
  writer: FrameWriter;
}

export class MemoryWire {
  readonly a: Peer;
  readonly b: Peer;
  private links: { toA: Link; toB: Link } | undefined;
  sockets = 0;

  constructor(private readonly clock: ManualClock) {
    const timings = protocolTimings(1);
    const peer = (): Peer => {
      const p: Peer = {
        received: [],
        timeouts: 0,
        log: [],
        session: new PersistentSession(
          {
            onMessage: (data) => p.received.push(data),
            onSocketTimeout: () => p.timeouts++,
          },
          { clock, timings },
        ),
      };
      return p;
    };
    this.a = peer();
    this.b = peer();
  }

  /** A new socket; the first one is a fresh connection, later ones are reconnections. */
  connect(): void {
    const reconnection = this.sockets > 0;
    this.sockets++;
    const link = (): Link => {
      const l: Link = { inFlight: [], reader: new ProtocolReader(), writer: undefined as unknown as FrameWriter };
      l.writer = new FrameWriter((bytes) => l.inFlight.push(bytes.slice()));
      return l;
    };
    const links = { toA: link(), toB: link() };
    this.links = links;
    // A writes into the B-bound link and vice versa.
    this.a.session.attach(links.toB.writer, reconnection);
    this.b.session.attach(links.toA.writer, reconnection);
  }

  /** Cuts the socket: bytes in flight beyond `keepBytes` per direction are lost, mid-message or not. */
  drop(keepBytes: (inFlight: number) => number = () => 0): void {
    if (!this.links) return;
    for (const [link, peer] of [[this.links.toA, this.a], [this.links.toB, this.b]] as const) {
      link.writer.flush();
      const bytes = concatBytes(link.inFlight);
      this.deliver(peer, link.reader, bytes.subarray(0, keepBytes(bytes.byteLength)));
    }
    this.links = undefined;
    this.a.session.detach();
    this.b.session.detach();
  }

  get connected(): boolean {
    return this.links !== undefined;
  }

  /** Delivers up to `maxBytes` in each direction, in chunks cut wherever `cut` says. */
  pump(maxBytes = Number.POSITIVE_INFINITY, cut: (remaining: number) => number = (n) => n): void {
    if (!this.links) return;
    for (const [link, peer] of [[this.links.toA, this.a], [this.links.toB, this.b]] as const) {
      link.writer.flush();
      let budget = maxBytes;
      while (budget > 0 && link.inFlight.length > 0 && this.links) {
        const head = link.inFlight[0] as Uint8Array;
        const take = Math.max(1, Math.min(head.byteLength, budget, cut(head.byteLength)));
        if (take === head.byteLength) link.inFlight.shift();
        else link.inFlight[0] = head.subarray(take);
        budget -= take;
        this.deliver(peer, link.reader, head.subarray(0, take));
      }
    }
  }

  /** Pumps until nothing is in flight in either direction. */
  settle(): void {
    for (let i = 0; i < 100 && this.links; i++) {
      this.pump();
      this.links.toA.writer.flush();
      this.links.toB.writer.flush();
      if (this.links.toA.inFlight.length === 0 && this.links.toB.inFlight.length === 0) return;
    }
  }

  private deliver(peer: Peer, reader: ProtocolReader, bytes: Uint8Array): void {
    for (const message of reader.acceptChunk(bytes)) {
      peer.log.push({ at: this.clock.now(), message });
      peer.session.acceptMessage(message);
    }
  }
}
