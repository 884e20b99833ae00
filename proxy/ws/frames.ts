// RFC 6455 §5.2 framing, read only as far as the relay needs: where each frame ends, its opcode,
// and the status code of a close frame. Payloads are never unmasked or copied (except a close
// frame's ≤ 125 bytes): the relay forwards each frame's bytes as they came, once the frame is
// complete, so it can always put a close frame of its own between two frames.

export const Opcode = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

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

/**
 * Total length (header + payload) of the frame starting at `offset` of `buf`, where `available`
 * bytes follow; -1 if they are too few to tell.
 */
export function frameLengthAt(buf: Buffer, offset: number, available: number, maxPayloadBytes: number): number {
  if (available < 2) return -1;
  const b1 = buf[offset + 1] ?? 0;
  const len7 = b1 & 0x7f;
  const extended = len7 === 126 ? 2 : len7 === 127 ? 8 : 0;
  if (available < 2 + extended) return -1;
  const payload = len7 === 126 ? buf.readUInt16BE(offset + 2) : len7 === 127 ? Number(buf.readBigUInt64BE(offset + 2)) : len7;
  if (payload > maxPayloadBytes) throw new FrameTooLargeError(`frame of ${payload} bytes over the ${maxPayloadBytes}-byte limit`);
  return 2 + extended + ((b1 & 0x80) !== 0 ? 4 : 0) + payload;
}

/** A close frame's status code (1005 when it has none) and reason; its payload is unmasked here, it is ≤ 125 bytes. */
function closeOf(parts: Buffer[]): Frame {
  const bytes = parts.length === 1 ? (parts[0] ?? Buffer.alloc(0)) : Buffer.concat(parts);
  const masked = ((bytes[1] ?? 0) & 0x80) !== 0;
  const payload = Buffer.from(bytes.subarray(2 + (masked ? 4 : 0)));
  if (masked) for (let i = 0; i < payload.length; i++) payload[i] = (payload[i] ?? 0) ^ (bytes[2 + (i & 3)] ?? 0);
  if (payload.length < 2) return { opcode: Opcode.close, parts, closeCode: 1005, closeReason: '' };
  return { opcode: Opcode.close, parts, closeCode: payload.readUInt16BE(0), closeReason: payload.subarray(2).toString() };
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
      const total = inFirst >= 14 || this.parts.length === 1 ? frameLengthAt(first, this.offset, Math.min(inFirst, this.held), this.maxPayloadBytes) : frameLengthAt(this.gather(14), 0, Math.min(14, this.held), this.maxPayloadBytes);
      if (total < 0 || this.held < total) break;
      const opcode = (first[this.offset] ?? 0) & 0x0f;
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
 * Follows frame boundaries in bytes that are forwarded as they arrive (cut-through), for the
 * browser → upstream direction: a frame cut short there only costs the upstream a TCP end, which
 * code-server treats like any disconnect, so nothing needs holding back. Says whether the stream
 * is between two frames (where a close frame of our own may go) and returns each close frame.
 */
export class FrameTracker {
  private readonly header = Buffer.alloc(14);
  private headerFilled = 0;
  private headerLength = 2;
  private remaining = -1; // payload bytes left in the current frame; -1 while reading its header
  private closeParts: Buffer[] | undefined;
  private readonly maxPayloadBytes: number;

  constructor(maxPayloadBytes: number) {
    this.maxPayloadBytes = maxPayloadBytes;
  }

  get atBoundary(): boolean {
    return this.remaining < 0 && this.headerFilled === 0;
  }

  /** Returns the close frames completed in `chunk`. */
  push(chunk: Buffer): Frame[] {
    const closes: Frame[] = [];
    let i = 0;
    while (i < chunk.length) {
      if (this.remaining < 0) {
        const take = Math.min(this.headerLength - this.headerFilled, chunk.length - i);
        chunk.copy(this.header, this.headerFilled, i, i + take);
        this.headerFilled += take;
        i += take;
        if (this.headerFilled === 2) {
          const len7 = (this.header[1] ?? 0) & 0x7f;
          this.headerLength = 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (((this.header[1] ?? 0) & 0x80) !== 0 ? 4 : 0);
        }
        if (this.headerFilled < this.headerLength) continue;
        this.remaining = frameLengthAt(this.header, 0, this.headerFilled, this.maxPayloadBytes) - this.headerLength;
        if (((this.header[0] ?? 0) & 0x0f) === Opcode.close) this.closeParts = [Buffer.from(this.header.subarray(0, this.headerLength))];
      } else {
        const take = Math.min(this.remaining, chunk.length - i);
        this.closeParts?.push(chunk.subarray(i, i + take));
        this.remaining -= take;
        i += take;
      }
      if (this.remaining === 0) {
        if (this.closeParts) closes.push(closeOf(this.closeParts));
        this.closeParts = undefined;
        this.remaining = -1;
        this.headerFilled = 0;
        this.headerLength = 2;
      }
    }
    return closes;
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
