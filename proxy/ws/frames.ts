// RFC 6455 §5.2 framing, read only as far as the relay needs: where each frame ends, its opcode,
// whether it is allowed (./validation.ts), and the status code of a close frame. Payloads are never
// unmasked or copied (except a close frame's ≤ 125 bytes). This file reads the upstream's frames,
// which the relay forwards whole, so it can always put a close frame of its own between two;
// ./client-frames.ts reads the browser's, which are forwarded as they arrive.
import { checkFrameHeader, nextFragmented, Opcode, readClosePayload, type Violation } from './validation.ts';

export { Opcode } from './validation.ts';

export interface Frame {
  /** The opcode of the (first) frame. */
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

/**
 * Total length (header + payload) of the frame starting at `offset` of `buf`, where `available`
 * bytes follow; -1 if they are too few to tell.
 */
function frameLengthAt(buf: Buffer, offset: number, available: number, maxPayloadBytes: number): number {
  if (available < 2) return -1;
  const b1 = buf[offset + 1] ?? 0;
  const len7 = b1 & 0x7f;
  if (available < 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0)) return -1;
  const payload = payloadLength(buf, offset);
  if (payload > maxPayloadBytes) throw new FrameTooLargeError(`frame of ${payload} bytes over the ${maxPayloadBytes}-byte limit`);
  return headerLength(b1) + payload;
}

/** The payload length of the frame whose header (at least up to its extended length) starts at `offset`. */
export function payloadLength(buf: Buffer, offset: number): number {
  const len7 = (buf[offset + 1] ?? 0) & 0x7f;
  return len7 === 126 ? buf.readUInt16BE(offset + 2) : len7 === 127 ? Number(buf.readBigUInt64BE(offset + 2)) : len7;
}

/** The length of a frame's header, from its second byte. */
export function headerLength(b1: number): number {
  const len7 = b1 & 0x7f;
  return 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + ((b1 & 0x80) !== 0 ? 4 : 0);
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

/**
 * Incremental splitter: chunks in, complete frames out; the bytes of an unfinished frame are held.
 * Consecutive data frames come out as one Frame (opcode of the first, all their bytes), so a
 * chunk holding a hundred small messages is forwarded with one write; close frames come out alone.
 */
export class FrameSplitter {
  /** Held chunks; the first is consumed up to `offset`. */
  private parts: Buffer[] = [];
  private offset = 0;
  private held = 0;
  /** A fragmented message is in progress (§5.4). */
  private fragmented = false;
  private readonly maxPayloadBytes: number;

  constructor(maxPayloadBytes: number) {
    this.maxPayloadBytes = maxPayloadBytes;
  }

  /** Bytes held for a frame not yet complete. */
  get heldBytes(): number {
    return this.held;
  }

  push(chunk: Buffer): Frame[] {
    const frames: Frame[] = [];
    this.parts.push(chunk);
    this.held += chunk.length;
    let run: Buffer[] = [];
    let runOpcode = -1;
    // The run's tail inside the first held chunk, kept as offsets until it must become a slice.
    let tail: { buf: Buffer; start: number; end: number } | undefined;
    const sealTail = () => {
      if (tail) appendParts(run, [tail.buf.subarray(tail.start, tail.end)]);
      tail = undefined;
    };
    const endRun = () => {
      sealTail();
      if (run.length) frames.push({ opcode: runOpcode, parts: run });
      run = [];
    };
    for (;;) {
      const first = this.parts[0];
      if (!first) break;
      const inFirst = first.length - this.offset;
      // The header usually sits in one chunk; across chunks, 14 bytes are gathered to read it.
      const header = inFirst >= 14 || this.parts.length === 1 ? first : this.gather(14);
      const at = header === first ? this.offset : 0;
      const available = header === first ? Math.min(inFirst, this.held) : Math.min(14, this.held);
      if (available < 2) break;
      const b0 = header[at] ?? 0;
      // Checked before the payload is waited for: a control frame announcing 64 MiB is refused at its header.
      const violation = checkFrameHeader(b0, header[at + 1] ?? 0, false, this.fragmented);
      if (violation) throw new FrameViolationError(violation);
      const total = frameLengthAt(header, at, available, this.maxPayloadBytes);
      if (total < 0 || this.held < total) break;
      this.fragmented = nextFragmented(b0, this.fragmented);
      const opcode = b0 & 0x0f;
      if (opcode === Opcode.close) {
        endRun();
        frames.push(closeOf(this.take(total)));
        continue;
      }
      if (!run.length && !tail) runOpcode = opcode;
      if (total <= inFirst) {
        // Fast path, many small messages per chunk: extend the run by offsets, no slice per frame.
        if (tail && tail.buf === first && tail.end === this.offset) tail.end += total;
        else {
          sealTail();
          tail = { buf: first, start: this.offset, end: this.offset + total };
        }
        this.offset += total;
        this.held -= total;
        if (this.offset === first.length) {
          this.parts.shift();
          this.offset = 0;
        }
        continue;
      }
      sealTail();
      appendParts(run, this.take(total));
    }
    endRun();
    return frames;
  }

  private gather(n: number): Buffer {
    const out = Buffer.alloc(Math.min(n, this.held));
    let filled = 0;
    for (const [i, part] of this.parts.entries()) {
      filled += part.copy(out, filled, i === 0 ? this.offset : 0);
      if (filled >= out.length) break;
    }
    return out;
  }

  private take(n: number): Buffer[] {
    const out: Buffer[] = [];
    let left = n;
    while (left > 0) {
      const part = this.parts[0];
      if (!part) break;
      const available = part.length - this.offset;
      if (available <= left) {
        out.push(this.offset === 0 ? part : part.subarray(this.offset));
        this.parts.shift();
        this.offset = 0;
        left -= available;
      } else {
        out.push(part.subarray(this.offset, this.offset + left));
        this.offset += left;
        left = 0;
      }
    }
    this.held -= n;
    return out;
  }
}

/** Appends frame bytes, merging slices that sit next to each other in one chunk. */
export function appendParts(batch: Buffer[], parts: Buffer[]): void {
  for (const part of parts) {
    const last = batch[batch.length - 1];
    if (last && last.buffer === part.buffer && last.byteOffset + last.length === part.byteOffset) {
      batch[batch.length - 1] = Buffer.from(last.buffer, last.byteOffset, last.length + part.length);
    } else batch.push(part);
  }
}

/**
 * A close frame of our own. `masked`: towards the upstream (a client must mask, RFC 6455 §5.3);
 * the key is all zeros, so the payload is written as is.
 */
export function closeFrame(code: number, reason: string, masked: boolean): Buffer {
  const text = Buffer.from(reason);
  const payload = Buffer.alloc(2 + text.length);
  payload.writeUInt16BE(code, 0);
  text.copy(payload, 2);
  const header = Buffer.from([0x80 | Opcode.close, (masked ? 0x80 : 0) | payload.length]);
  return Buffer.concat([header, masked ? Buffer.alloc(4) : Buffer.alloc(0), payload]);
}
