// The front door's view of the WebSocket frames crossing it (RFC 6455 §5.2): where each frame
// starts in one direction's byte stream, and its header once whole. The hops it stands for read
// frames as they pass — to limit message sizes, to corrupt one, to close at a frame boundary —
// and never buffer them: bytes are only counted, in whatever chunks TCP delivers them.
import { headerLength, maxHeaderBytes, payloadLength } from '../../common/websocket-frame.ts';

export interface FrameHeader {
  opcode: number;
  fin: boolean;
  masked: boolean;
  payloadLength: number;
}

export interface FrameEvents {
  /** A frame's first byte is at `offset` of the chunk being scanned. */
  start?(offset: number): void;
  /** A frame's header is whole; false stops the scan (the rest of the chunk is not read). */
  header?(header: FrameHeader): boolean | void;
}

/** Follows frame boundaries in one direction, fed in arbitrary chunks. */
export class FrameWatch {
  private readonly header = new Uint8Array(maxHeaderBytes);
  private headerFilled = 0;
  private payloadLeft = 0;

  /** No frame is half-way through: a frame of the hop's own may go next. */
  get atBoundary(): boolean {
    return this.headerFilled === 0 && this.payloadLeft === 0;
  }

  /** Reads `chunk`; false when a `header` callback stopped the scan. */
  scan(chunk: Uint8Array, on: FrameEvents = {}): boolean {
    let at = 0;
    while (at < chunk.length) {
      if (this.payloadLeft > 0) {
        const take = Math.min(this.payloadLeft, chunk.length - at);
        this.payloadLeft -= take;
        at += take;
        continue;
      }
      if (this.headerFilled === 0) on.start?.(at);
      this.header[this.headerFilled++] = chunk[at++] ?? 0;
      if (this.headerFilled < 2 || this.headerFilled < headerLength(this.header[1] ?? 0)) continue;
      const [first = 0, second = 0] = this.header;
      const parsed = { opcode: first & 0x0f, fin: (first & 0x80) !== 0, masked: (second & 0x80) !== 0, payloadLength: payloadLength(this.header, 0) };
      this.headerFilled = 0;
      this.payloadLeft = parsed.payloadLength;
      if (on.header?.(parsed) === false) return false;
    }
    return true;
  }
}
