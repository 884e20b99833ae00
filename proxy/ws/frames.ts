// RFC 6455 §5.2 framing, read only as far as the relay needs: where each frame ends, its opcode,
// and the status code of a close frame. Payloads are never unmasked or copied (except a close
// frame's ≤ 125 bytes): the relay forwards each frame's bytes as they came, once the frame is
// complete, so it can always put a close frame of its own between two frames.

export const Opcode = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

export interface Frame {
  opcode: number;
  /** The frame's bytes as received, header included, in the chunks they arrived in. */
  parts: Buffer[];
  /** Close frames only: the status code (1005 when the frame has none) and reason. */
  closeCode?: number;
  closeReason?: string;
}

export class FrameTooLargeError extends Error {
  readonly code = 'frame.too_large';
}

/** Total length of the frame whose first bytes are `head` (header + payload), or -1 if `head` is too short to tell. */
export function frameLength(head: Buffer, maxPayloadBytes: number): number {
  if (head.length < 2) return -1;
  const masked = ((head[1] ?? 0) & 0x80) !== 0;
  const len7 = (head[1] ?? 0) & 0x7f;
  const extended = len7 === 126 ? 2 : len7 === 127 ? 8 : 0;
  const headerLength = 2 + extended + (masked ? 4 : 0);
  if (head.length < 2 + extended) return -1;
  const payload = len7 === 126 ? head.readUInt16BE(2) : len7 === 127 ? Number(head.readBigUInt64BE(2)) : len7;
  if (payload > maxPayloadBytes) throw new FrameTooLargeError(`frame of ${payload} bytes over the ${maxPayloadBytes}-byte limit`);
  return headerLength + payload;
}

/** The frame in `bytes` (exactly one), with its close code read when it is a close frame. */
function describe(parts: Buffer[]): Frame {
  const first = parts[0] ?? Buffer.alloc(0);
  const opcode = (first[0] ?? 0) & 0x0f;
  if (opcode !== Opcode.close) return { opcode, parts };
  const bytes = parts.length === 1 ? first : Buffer.concat(parts);
  const masked = ((bytes[1] ?? 0) & 0x80) !== 0;
  const payloadStart = 2 + (masked ? 4 : 0);
  const payload = Buffer.from(bytes.subarray(payloadStart));
  if (masked) for (let i = 0; i < payload.length; i++) payload[i] = (payload[i] ?? 0) ^ (bytes[2 + (i & 3)] ?? 0);
  if (payload.length < 2) return { opcode, parts, closeCode: 1005, closeReason: '' };
  return { opcode, parts, closeCode: payload.readUInt16BE(0), closeReason: payload.subarray(2).toString() };
}

/** Incremental splitter: chunks in, complete frames out; bytes of an unfinished frame are held. */
export class FrameSplitter {
  private parts: Buffer[] = [];
  private held = 0;
  private frameTotal = -1;
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
    for (;;) {
      if (this.frameTotal < 0) this.frameTotal = frameLength(this.peek(14), this.maxPayloadBytes);
      if (this.frameTotal < 0 || this.held < this.frameTotal) return frames;
      frames.push(describe(this.take(this.frameTotal)));
      this.frameTotal = -1;
    }
  }

  private peek(n: number): Buffer {
    const first = this.parts[0];
    if (first && first.length >= n) return first.subarray(0, n);
    return Buffer.concat(this.parts, Math.min(n, this.held));
  }

  private take(n: number): Buffer[] {
    const out: Buffer[] = [];
    let left = n;
    while (left > 0) {
      const part = this.parts[0];
      if (!part) break;
      if (part.length <= left) {
        out.push(part);
        this.parts.shift();
        left -= part.length;
      } else {
        out.push(part.subarray(0, left));
        this.parts[0] = part.subarray(left);
        left = 0;
      }
    }
    this.held -= n;
    return out;
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
