// Where the upstream tunnel's reads land: buffers of the session's own (net's `onread`), reused
// read after read, instead of a buffer Node allocates for every read and a trip through the
// Readable stream's 'data' event. Each read area has room in front of it, where the frame splitter
// (./frames.ts) puts a fragment header or the held start of a frame, so what goes on to the browser
// is one buffer — one write — where it would otherwise be two (a writev).
//
// A buffer is reused only when nothing still refers to it once the read has been handled: the
// splitter copies what it holds, and a write to the browser that its socket did not take at once
// lends the buffer out (the next read gets a fresh one). Until the relay takes the reads over, they
// go out as 'data' events of copies, so the SOCKS handshake and the upgrade read the tunnel as any
// socket.
import type { OnReadOpts, Socket } from 'node:net';
import type { OwnReads } from '../socks/dial.ts';

/** Room in front of every read: a fragment header (≤ 10 bytes) or a held frame start up to this. */
export const frontRoomBytes = 2048;
/** The read area while messages are small: what an idle session keeps. */
const smallReadBytes = 2048;
/** The read area once a read has filled the small one: what Node reads into by default. */
const largeReadBytes = 64 * 1024;
/** A large read area goes back to small after this many reads in a row that a small one would have held. */
const shrinkAfterReads = 16;

/** The relay's side: a read of the tunnel, a view of a buffer with `room` writable bytes in front of it. */
export interface RelayRead {
  tunnelRead(chunk: Buffer, room: number): void;
}

export class TunnelReads implements OwnReads {
  /** What the socket reads into: a view of a buffer that has `frontRoomBytes` before it. */
  private area: Buffer | undefined;
  private readBytes = smallReadBytes;
  private smallReadsInARow = 0;
  /** Part of the current buffer is still queued on the browser's socket: the next read goes into a fresh one. */
  private lent = false;
  private socket: Socket | undefined;
  private relay: RelayRead | undefined;
  /** A read is being relayed: what is written now may be a view of the read buffer. */
  private relaying = false;

  /** For net.connect(): where the socket reads. */
  readonly onread: OnReadOpts = {
    buffer: () => this.nextBuffer(),
    callback: (bytes, buffer) => this.read(bytes, buffer as Buffer),
  };

  /** The socket that reads through `onread` (a dial may try several before one connects). */
  attach(socket: Socket): void {
    this.socket = socket;
  }

  /** Whether `tunnel` reads through here, so that `relayTo` will see its reads. */
  reads(tunnel: unknown): boolean {
    return this.socket !== undefined && tunnel === this.socket;
  }

  /** From now on the tunnel's reads go to `relay` as views, not as 'data' events. */
  relayTo(relay: RelayRead): void {
    this.relay = relay;
  }

  /**
   * A buffer the relay is about to write to the browser: a view of the read buffer is kept from
   * reuse if the write will be queued. `queued`: the browser's socket already has writes waiting.
   * A small view is copied (so a slow browser pins only its bytes, not a buffer per read); a large
   * one lends the buffer out.
   */
  keep(bytes: Buffer, queued: boolean): Buffer {
    if (!this.relaying || !queued) return bytes;
    if (bytes.length * 2 < this.readBytes) return Buffer.from(bytes);
    this.lent = true;
    return bytes;
  }

  /** A write to the browser was not all taken at once: what it holds of the read buffer stays with it. */
  lend(): void {
    if (this.relaying) this.lent = true;
  }

  private read(bytes: number, buffer: Buffer): boolean {
    const chunk = bytes === buffer.length ? buffer : buffer.subarray(0, bytes);
    if (!this.relay) this.socket?.emit('data', Buffer.from(chunk));
    else {
      this.relaying = true;
      try {
        this.relay.tunnelRead(chunk, frontRoomBytes);
      } finally {
        this.relaying = false;
      }
    }
    this.resize(bytes);
    return true;
  }

  /** A read that filled the small area wants the large one; a run of small reads gives it back. */
  private resize(bytes: number): void {
    if (this.readBytes === smallReadBytes) {
      if (bytes === smallReadBytes) this.readBytes = largeReadBytes;
      return;
    }
    this.smallReadsInARow = bytes <= smallReadBytes ? this.smallReadsInARow + 1 : 0;
    if (this.smallReadsInARow < shrinkAfterReads) return;
    this.smallReadsInARow = 0;
    this.readBytes = smallReadBytes;
  }

  private nextBuffer(): Buffer {
    if (this.lent || this.area?.length !== this.readBytes) this.area = Buffer.allocUnsafeSlow(frontRoomBytes + this.readBytes).subarray(frontRoomBytes);
    this.lent = false;
    return this.area;
  }
}
