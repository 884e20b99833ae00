// The browser's frames, read as they arrive and forwarded cut-through: payload bytes go on at once
// (never unmasked or copied), but no byte of a frame leaves before its header has been checked
// (./validation.ts), and a close frame is held — at most 2 + 4 + 125 bytes — until its code and
// reason are checked. So a refused frame never reaches the upstream, and what the reader holds
// for any connection is one header and one control payload, whatever the browser announces.
import { headerLength, maxHeaderBytes, payloadLength } from '../../common/websocket-frame.ts';
import { closeOf, FrameTooLargeError, FrameViolationError, type Frame } from './frames.ts';
import { checkFrameHeader, nextFragmented, Opcode } from './validation.ts';

/** Named for the side it reads, so that one object — the session — can be the sink of both readers. */
export interface ClientFrameSink {
  /** Bytes of checked frames, in order, to pass on as they are (a frame may span several calls). */
  browserBytes(bytes: Buffer): void;
  /** A whole, valid close frame: its bytes as received, code and reason. The reader stops after it (§5.5.1: nothing follows a close). */
  browserClose(frame: Frame): void;
  /** A frame RFC 6455 does not allow, or one over the size limit; none of its bytes were forwarded. The reader stops. */
  browserRefused(error: FrameViolationError | FrameTooLargeError): void;
}

const enum Phase {
  header,
  payload,
  closePayload,
  stopped,
}

export class ClientFrameReader {
  private phase = Phase.header;
  /** A header that arrived in pieces, held until it is whole. */
  private readonly header = Buffer.alloc(maxHeaderBytes);
  private headerFilled = 0;
  /** Payload bytes left in the current frame. */
  private remaining = 0;
  private fragmented = false;
  /** The close frame being gathered. */
  private closeBytes: Buffer[] = [];
  private readonly maxPayloadBytes: number;

  constructor(maxPayloadBytes: number) {
    this.maxPayloadBytes = maxPayloadBytes;
  }

  /** Nothing of a frame has been forwarded without the rest of it: a close frame of our own may follow. */
  get atBoundary(): boolean {
    return this.phase !== Phase.payload;
  }

  /** Allocates nothing while frames' headers arrive whole within a chunk (the steady state). */
  push(chunk: Buffer, sink: ClientFrameSink): void {
    let i = 0;
    /** Start of the bytes of this chunk not yet forwarded. */
    let run = 0;
    while (i < chunk.length) {
      if (this.phase === Phase.stopped) return;
      if (this.phase === Phase.payload) {
        const take = Math.min(this.remaining, chunk.length - i);
        i += take;
        this.remaining -= take;
        if (this.remaining === 0) this.phase = Phase.header;
        continue;
      }
      if (this.phase === Phase.closePayload) {
        const take = Math.min(this.remaining, chunk.length - i);
        this.closeBytes.push(Buffer.from(chunk.subarray(i, i + take)));
        i += take;
        run = i;
        this.remaining -= take;
        if (this.remaining === 0) this.endClose(sink);
        continue;
      }
      // A header: read in place when the chunk holds it whole, else gathered across chunks.
      const start = i;
      let bytes: Buffer;
      let at: number;
      if (this.headerFilled === 0 && chunk.length - i >= 2 && chunk.length - i >= headerLength(chunk[i + 1] ?? 0)) {
        bytes = chunk;
        at = i;
        i += headerLength(chunk[i + 1] ?? 0);
      } else {
        const needed = this.headerFilled < 2 ? 2 : headerLength(this.header[1] ?? 0);
        const take = Math.min(needed - this.headerFilled, chunk.length - i);
        chunk.copy(this.header, this.headerFilled, i, i + take);
        this.headerFilled += take;
        i += take;
        forwardRun(chunk, run, start, sink); // what came before this header is whole frames
        run = i;
        if (this.headerFilled < 2 || this.headerFilled < headerLength(this.header[1] ?? 0)) continue;
        bytes = this.header;
        at = 0;
      }
      const length = headerLength(bytes[at + 1] ?? 0);
      const b0 = bytes[at] ?? 0;
      const violation = checkFrameHeader(b0, bytes[at + 1] ?? 0, true, this.fragmented);
      const payload = violation ? 0 : payloadLength(bytes, at);
      if (violation || payload > this.maxPayloadBytes) {
        forwardRun(chunk, run, bytes === chunk ? start : run, sink);
        this.phase = Phase.stopped;
        sink.browserRefused(violation ? new FrameViolationError(violation) : new FrameTooLargeError(`frame of ${payload} bytes over the ${this.maxPayloadBytes}-byte limit`));
        return;
      }
      const held = bytes === this.header ? Buffer.from(this.header.subarray(0, length)) : undefined;
      this.headerFilled = 0;
      this.fragmented = nextFragmented(b0, this.fragmented);
      this.remaining = payload;
      if ((b0 & 0x0f) === Opcode.close) {
        forwardRun(chunk, run, bytes === chunk ? start : run, sink);
        this.closeBytes = [held ?? Buffer.from(chunk.subarray(start, i))];
        run = i;
        this.phase = Phase.closePayload;
        if (payload === 0) this.endClose(sink);
        continue;
      }
      if (held) {
        sink.browserBytes(held);
        run = i;
      }
      if (payload > 0) this.phase = Phase.payload;
    }
    if (this.phase !== Phase.stopped) forwardRun(chunk, run, i, sink);
  }

  private endClose(sink: ClientFrameSink): void {
    this.phase = Phase.stopped;
    let frame: Frame;
    try {
      frame = closeOf(this.closeBytes);
    } catch (error) {
      sink.browserRefused(error as FrameViolationError);
      return;
    }
    sink.browserClose(frame);
  }
}

/** Forwards `chunk[from, to)`: the chunk itself when that is all of it (no slice). */
function forwardRun(chunk: Buffer, from: number, to: number, sink: ClientFrameSink): void {
  if (to > from) sink.browserBytes(from === 0 && to === chunk.length ? chunk : chunk.subarray(from, to));
}
