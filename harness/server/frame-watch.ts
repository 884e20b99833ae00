// The front door's view of the WebSocket frames crossing it (RFC 6455 §5.2): where each frame
// starts in one direction's byte stream, and its header once whole. The hops it stands for read
// frames as they pass — to limit message sizes, to corrupt one, to close at a frame boundary —
// and never buffer them: bytes are only counted, in whatever chunks TCP delivers them.
import { closeReason } from '../../proxy/errors.ts';
import { closeFrame } from '../../proxy/ws/frames.ts';

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
  private header: number[] = [];
  private payloadLeft = 0;

  /** No frame is half-way through: a frame of the hop's own may go next. */
  get atBoundary(): boolean {
    return this.header.length === 0 && this.payloadLeft === 0;
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
      if (this.header.length === 0) on.start?.(at);
      this.header.push(chunk[at++] ?? 0);
      const length = this.headerLength();
      if (length === undefined || this.header.length < length) continue;
      const parsed = this.parsedHeader();
      this.header = [];
      this.payloadLeft = parsed.payloadLength;
      if (on.header?.(parsed) === false) return false;
    }
    return true;
  }

  /** 2 + extended length + 4 (mask), once the first two bytes are known. */
  private headerLength(): number | undefined {
    const second = this.header[1];
    if (second === undefined) return undefined;
    const len7 = second & 0x7f;
    return 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (second & 0x80 ? 4 : 0);
  }

  private parsedHeader(): FrameHeader {
    const [first = 0, second = 0] = this.header;
    const len7 = second & 0x7f;
    let payloadLength = len7;
    if (len7 === 126) payloadLength = ((this.header[2] ?? 0) << 8) | (this.header[3] ?? 0);
    if (len7 === 127) payloadLength = this.header.slice(2, 10).reduce((n, byte) => n * 256 + byte, 0);
    return { opcode: first & 0x0f, fin: (first & 0x80) !== 0, masked: (second & 0x80) !== 0, payloadLength };
  }
}

/**
 * A close frame from the hop towards the browser (unmasked): the proxy's own builder and its cut of
 * the reason at 123 bytes on a code-point boundary, so the frame is valid whatever the reason.
 */
export function serverCloseFrame(code: number, reason: string): Buffer {
  return closeFrame(code, closeReason(reason), false);
}
