// RFC 6455 §5.2 framing, read only as far as the relay needs: where each frame ends, its opcode,
// whether it is allowed (./validation.ts), and the status code of a close frame. Payloads are never
// unmasked or copied (except a close frame's ≤ 125 bytes). This file reads the upstream's frames,
// which the relay passes on as whole frames (a large one as fragments), so it can always put a
// close frame of its own between two; ./client-frames.ts reads the browser's, which are forwarded
// as they arrive.
import { headerLength, maxHeaderBytes, payloadLength } from '../../common/websocket-frame.ts';
import { checkFrameHeader, nextFragmented, Opcode, readClosePayload, type Violation } from './validation.ts';

export { Opcode } from './validation.ts';

/** A close frame, as the readers hand it on: its bytes and what they say. */
export interface Frame {
  opcode: number;
  /** The bytes as received, headers included, in the chunks they arrived in. */
  parts: Buffer[];
  /** Close frames only: the status code (1005 when the frame has none) and reason. */
  closeCode?: number;
  closeReason?: string;
}

export class FrameTooLargeError extends Error {
  readonly code = 'frame.too_large';
}

/** A frame RFC 6455 does not allow (the peer is failed with `closeCode`). */
export class FrameViolationError extends Error {
  readonly code = 'frame.violation';
  readonly closeCode: number;
  constructor(violation: Violation) {
    super(violation.detail);
    this.closeCode = violation.closeCode;
  }
}

/** A close frame's bytes (≤ 2 + 4 + 125: its header was checked first) → its code and reason, or the violation. */
export function closeOf(parts: Buffer[]): Frame {
  const bytes = parts.length === 1 ? (parts[0] ?? Buffer.alloc(0)) : Buffer.concat(parts);
  const masked = ((bytes[1] ?? 0) & 0x80) !== 0;
  const start = 2 + (masked ? 4 : 0);
  const payload = Buffer.from(bytes.subarray(start));
  if (masked) for (let i = 0; i < payload.length; i++) payload[i] = (payload[i] ?? 0) ^ (bytes[2 + (i & 3)] ?? 0);
  const content = readClosePayload(payload);
  if ('violation' in content) throw new FrameViolationError(content.violation);
  return { opcode: Opcode.close, parts, closeCode: content.code, closeReason: content.reason };
}

/** Where a FrameSplitter delivers the upstream's frames (named for that side, as ./client-frames.ts's sink is for the browser's). */
export interface FrameSink {
  /** Whole frames to pass on, in order: a chunk, or a slice of one. */
  upstreamBytes(bytes: Buffer): void;
  /** Whole frames in two buffers, to be written together: the held start of a frame and the rest, or a fragment header of ours and its payload. */
  upstreamPair(first: Buffer, second: Buffer): void;
  /** The same in more buffers (a frame that spanned several reads, a fragment after other frames). */
  upstreamParts(parts: Buffer[]): void;
  /** A whole, valid close frame. */
  upstreamClose(frame: Frame): void;
}

/**
 * A data frame up to this size (header included) that a read does not complete is held until it is
 * whole, then forwarded unchanged; a larger one goes on as it arrives, each read's share of it as a
 * fragment of its own (RFC 6455 §5.4: with no extension negotiated an intermediary may split
 * frames). Either way only whole frames go out, and a read's bytes are not held behind a frame
 * that may take many more reads to complete.
 */
export const holdLimitBytes = 16 * 1024;

/**
 * The upstream's frames, read incrementally and passed on as whole frames, so a close frame of our
 * own always fits between two: each read's complete frames go on at once, in as few buffers as
 * possible (the read itself when it ends on a frame boundary — then a push allocates nothing); a
 * small frame a read leaves incomplete is held until it is whole; a large data frame goes on as
 * fragments (holdLimitBytes). So what is held per connection is at most a small frame, whatever
 * the upstream announces. Headers are checked as soon as their bytes are in: a control frame
 * announcing 64 MiB is refused at its header. push() throws FrameViolationError /
 * FrameTooLargeError, and then forwards nothing of that read. push() takes the chunk over (a
 * socket's read, a buffer of its own): a large frame's first fragment is written into it. A chunk
 * pushed with `room` is a reused read buffer (./tunnel-reads.ts) with that many bytes of its own in
 * front of it: what is held is copied, and a fragment header or a held frame start that must go
 * before the chunk's bytes is written there, so they go on as one buffer.
 */
export class FrameSplitter {
  /** The bytes of a frame not yet complete: the chunk it started in, and any chunks after it. */
  private heldFirst: Buffer | undefined;
  private heldMore: Buffer[] | undefined;
  private heldSize = 0;
  /** That frame's first bytes, gathered across chunks, and its total length once they tell it (else -1). */
  private readonly header = Buffer.alloc(maxHeaderBytes);
  private headerFilled = 0;
  private heldTotal = -1;
  /** Inside a large frame going on as fragments: its payload bytes still to come, the next fragment's opcode, the frame's FIN. */
  private splitRemaining = 0;
  private splitOpcode: number = Opcode.continuation;
  private splitFin = false;
  /** The chunk being pushed is a reused read buffer: what is held of it is copied. */
  private borrowed = false;
  /** A fragmented message is in progress (§5.4), as the upstream framed it. */
  private fragmented = false;
  private readonly maxPayloadBytes: number;

  constructor(maxPayloadBytes: number) {
    this.maxPayloadBytes = maxPayloadBytes;
  }

  /** Bytes held for a frame not yet complete. */
  get heldBytes(): number {
    return this.heldSize;
  }

  push(chunk: Buffer, sink: FrameSink, room?: number): void {
    this.borrowed = room !== undefined;
    if (room !== undefined) {
      if (this.splitRemaining > 0) {
        // The frame going on as fragments continues: the next fragment's header in front.
        const take = Math.min(this.splitRemaining, chunk.length);
        const whole = widened(chunk, fragmentHeaderLength(take));
        this.writeFragmentHeader(whole, 0, take);
        return this.scan(whole, whole.length - chunk.length + take, 0, undefined, undefined, sink);
      }
      if (this.heldFirst && this.heldSize <= room) {
        // The held start of a frame in front, read again from there as if it had come with this chunk.
        const whole = widened(chunk, this.heldSize);
        let filled = this.heldFirst.copy(whole, 0);
        for (const more of this.heldMore ?? []) filled += more.copy(whole, filled);
        this.release();
        return this.scan(whole, 0, 0, undefined, undefined, sink);
      }
    }
    /** Next frame to read, and the start of the chunk's bytes not yet forwarded. */
    let at = 0;
    let run = 0;
    /** What goes out ahead of chunk[run, at): a fragment header of ours, or the held bytes of the frame this chunk completed. */
    let before: Buffer | undefined;
    let beforeMore: Buffer[] | undefined;
    if (this.splitRemaining > 0) {
      at = Math.min(this.splitRemaining, chunk.length);
      before = this.fragmentHeader(at);
    } else if (this.heldFirst) {
      if (this.heldTotal < 0) {
        this.gatherHeader(chunk);
        this.heldTotal = this.frameTotal(this.header, 0, this.headerFilled);
        if (this.heldTotal < 0) return this.holdMore(chunk);
      }
      const missing = this.heldTotal - this.heldSize;
      const b0 = this.header[0] ?? 0;
      if (chunk.length < missing) {
        // Held so far: part of a small frame, or a large frame's header (its payload goes on as fragments).
        const length = headerLength(this.header[1] ?? 0);
        const headerRest = length - this.heldSize;
        if (!splits(b0, this.heldTotal) || chunk.length <= headerRest) return this.holdMore(chunk);
        this.startSplit(b0, this.heldTotal - length);
        this.release(); // header bytes only: the fragment header replaces them
        return sink.upstreamPair(this.fragmentHeader(chunk.length - headerRest), chunk.subarray(headerRest));
      }
      before = this.heldFirst;
      beforeMore = this.heldMore;
      this.release();
      this.fragmented = nextFragmented(b0, this.fragmented);
      at = missing;
      if ((b0 & 0x0f) === Opcode.close) {
        sink.upstreamClose(closeOf(partsOf(before, beforeMore, chunk.subarray(0, missing))));
        before = beforeMore = undefined;
        run = missing;
      }
    }
    this.scan(chunk, at, run, before, beforeMore, sink);
  }

  /** The chunk's frames from `at` on, after `before` and chunk[run, at) (not yet forwarded). */
  private scan(chunk: Buffer, at: number, run: number, before: Buffer | undefined, beforeMore: Buffer[] | undefined, sink: FrameSink): void {
    for (;;) {
      const available = chunk.length - at;
      const total = this.frameTotal(chunk, at, available);
      if (total < 0) break;
      const b0 = chunk[at] ?? 0;
      if (total > available) {
        const length = headerLength(chunk[at + 1] ?? 0);
        if (!splits(b0, total) || available === length) break; // held below
        this.startSplit(b0, total - length);
        if (!before) return sink.upstreamBytes(this.firstFragmentInPlace(chunk, run, at, length));
        const fragment = this.fragmentHeader(available - length);
        const payload = chunk.subarray(at + length);
        const parts = before ? partsOf(before, beforeMore, at > run ? chunk.subarray(run, at) : undefined) : [chunk.subarray(run, at)];
        parts.push(fragment, payload);
        return sink.upstreamParts(parts);
      }
      this.fragmented = nextFragmented(b0, this.fragmented);
      if ((b0 & 0x0f) === Opcode.close) {
        const frame = closeOf([chunk.subarray(at, at + total)]); // checked before anything of this chunk goes on
        forwardRun(chunk, run, at, before, beforeMore, sink);
        before = beforeMore = undefined;
        sink.upstreamClose(frame);
        run = at + total;
      }
      at += total;
    }
    forwardRun(chunk, run, at, before, beforeMore, sink);
    if (at < chunk.length) this.hold(at === 0 ? chunk : chunk.subarray(at));
  }

  /**
   * Total length (header + payload) of the frame at `at`, where `available` bytes of it are in
   * `buf`; -1 if they are too few to tell. Throws on a header RFC 6455 refuses or a frame over the limit.
   */
  private frameTotal(buf: Buffer, at: number, available: number): number {
    if (available < 2) return -1;
    const b1 = buf[at + 1] ?? 0;
    const violation = checkFrameHeader(buf[at] ?? 0, b1, false, this.fragmented);
    if (violation) throw new FrameViolationError(violation);
    const length = headerLength(b1);
    if (available < length) return -1;
    const payload = payloadLength(buf, at);
    if (payload > this.maxPayloadBytes) throw new FrameTooLargeError(`frame of ${payload} bytes over the ${this.maxPayloadBytes}-byte limit`);
    return length + payload;
  }

  /** The start of a frame the chunk does not complete. */
  private hold(bytes: Buffer): void {
    this.heldFirst = this.borrowed ? Buffer.from(bytes) : bytes;
    this.heldSize = bytes.length;
    this.headerFilled = 0;
    this.gatherHeader(bytes);
    this.heldTotal = this.frameTotal(this.header, 0, this.headerFilled);
  }

  private holdMore(chunk: Buffer): void {
    (this.heldMore ??= []).push(this.borrowed ? Buffer.from(chunk) : chunk);
    this.heldSize += chunk.length;
  }

  /** Copies the frame's next header bytes (byte by byte: Buffer#copy with offsets allocates a view). */
  private gatherHeader(bytes: Buffer): void {
    const end = Math.min(maxHeaderBytes - this.headerFilled, bytes.length);
    for (let i = 0; i < end; i++) this.header[this.headerFilled++] = bytes[i] ?? 0;
  }

  private release(): void {
    this.heldFirst = undefined;
    this.heldMore = undefined;
    this.heldSize = 0;
    this.headerFilled = 0;
    this.heldTotal = -1;
  }

  /** A large data frame whose header (first byte `b0`) was accepted goes on as fragments from here. */
  private startSplit(b0: number, payload: number): void {
    this.fragmented = nextFragmented(b0, this.fragmented);
    this.splitRemaining = payload;
    this.splitOpcode = b0 & 0x0f;
    this.splitFin = (b0 & 0x80) !== 0;
  }

  /** The header of the next fragment, carrying `bytes` of the frame's payload (the last one takes the frame's FIN). */
  private fragmentHeader(bytes: number): Buffer {
    const header = Buffer.allocUnsafe(fragmentHeaderLength(bytes));
    this.writeFragmentHeader(header, 0, bytes);
    return header;
  }

  /**
   * The first fragment of a large frame that starts at `at` in the chunk, its `length`-byte header
   * already read, after the whole frames chunk[run, at): the fragment's header (never longer than
   * the frame's own) takes the frame header's place, and the shorter side — the frames before or the
   * payload after — moves over the bytes left between, so all of it goes on as one slice of the
   * chunk: no header buffer, no writev, and when the frame starts the run, nothing moved. The chunk
   * is this read's own buffer, and nothing of it from `run` on has gone anywhere yet.
   */
  private firstFragmentInPlace(chunk: Buffer, run: number, at: number, length: number): Buffer {
    const bytes = chunk.length - at - length;
    const header = fragmentHeaderLength(bytes);
    const gap = length - header;
    if (at - run <= bytes) {
      if (gap > 0 && at > run) chunk.copyWithin(run + gap, run, at);
      this.writeFragmentHeader(chunk, at + gap, bytes);
      return chunk.subarray(run + gap);
    }
    chunk.copyWithin(at + header, at + length);
    this.writeFragmentHeader(chunk, at, bytes);
    return chunk.subarray(run, chunk.length - gap);
  }

  private writeFragmentHeader(target: Buffer, offset: number, bytes: number): void {
    this.splitRemaining -= bytes;
    target[offset] = (this.splitRemaining === 0 && this.splitFin ? 0x80 : 0) | this.splitOpcode;
    this.splitOpcode = Opcode.continuation;
    if (bytes < 126) target[offset + 1] = bytes;
    else if (bytes < 65536) {
      target[offset + 1] = 126;
      target.writeUInt16BE(bytes, offset + 2);
    } else {
      target[offset + 1] = 127;
      target.writeBigUInt64BE(BigInt(bytes), offset + 2);
    }
  }
}

/** A server frame's header (unmasked) for a payload of `bytes`, in the fewest bytes (RFC 6455 §5.2). */
function fragmentHeaderLength(bytes: number): number {
  return bytes < 126 ? 2 : bytes < 65536 ? 4 : 10;
}

/** A data frame of `total` bytes that a read leaves incomplete goes on as fragments rather than being held. */
function splits(b0: number, total: number): boolean {
  return (b0 & 0x08) === 0 && total > holdLimitBytes;
}

/** The chunk with `bytes` more of its buffer in front of it (the caller's room). */
function widened(chunk: Buffer, bytes: number): Buffer {
  return Buffer.from(chunk.buffer, chunk.byteOffset - bytes, chunk.length + bytes);
}

function partsOf(first: Buffer, more: Buffer[] | undefined, last: Buffer | undefined): Buffer[] {
  const parts = more ? [first, ...more] : [first];
  if (last) parts.push(last);
  return parts;
}

/** `chunk[from, to)` on to the sink after what goes before it; the chunk itself when that is all there is. */
function forwardRun(chunk: Buffer, from: number, to: number, before: Buffer | undefined, beforeMore: Buffer[] | undefined, sink: FrameSink): void {
  const run = to > from ? (from === 0 && to === chunk.length ? chunk : chunk.subarray(from, to)) : undefined;
  if (before && (beforeMore || !run)) sink.upstreamParts(partsOf(before, beforeMore, run));
  else if (before && run) sink.upstreamPair(before, run);
  else if (run) sink.upstreamBytes(run);
}
