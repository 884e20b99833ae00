// A hop with a per-message size limit, as the seed notes' python proxy was (websockets'
// max_size, 1 MiB by default): it reads the browser's WebSocket frames as they pass, adds up
// each message across its continuation frames, and over the limit answers 1009 (RFC 6455
// §7.4.1 "message too big"). The bytes themselves pass through untouched.

export const MESSAGE_TOO_BIG = 1009;

/** Counts message sizes in a client → server frame stream, fed in arbitrary chunks. */
export class MessageSizeLimit {
  private header: number[] = [];
  private payloadLeft = 0;
  private messageBytes = 0;
  private controlFrame = false;

  constructor(readonly maxMessageBytes: number) {}

  /** False once a message went over the limit. */
  accept(chunk: Uint8Array): boolean {
    let at = 0;
    while (at < chunk.length) {
      if (this.payloadLeft > 0) {
        const take = Math.min(this.payloadLeft, chunk.length - at);
        this.payloadLeft -= take;
        at += take;
        continue;
      }
      this.header.push(chunk[at++] ?? 0);
      const length = this.headerLength();
      if (length === undefined || this.header.length < length) continue;
      if (!this.frameParsed()) return false;
    }
    return true;
  }

  /** Header length once its first two bytes are known: 2 + extended length + 4 (mask). */
  private headerLength(): number | undefined {
    const second = this.header[1];
    if (second === undefined) return undefined;
    const len7 = second & 0x7f;
    return 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (second & 0x80 ? 4 : 0);
  }

  private frameParsed(): boolean {
    const [first = 0, second = 0] = this.header;
    const len7 = second & 0x7f;
    let payload = len7;
    if (len7 === 126) payload = ((this.header[2] ?? 0) << 8) | (this.header[3] ?? 0);
    if (len7 === 127) payload = this.header.slice(2, 10).reduce((n, byte) => n * 256 + byte, 0);
    this.header = [];
    this.payloadLeft = payload;
    const opcode = first & 0x0f;
    const fin = (first & 0x80) !== 0;
    // Control frames (ping, pong, close) may sit between a message's fragments and are not part of it.
    this.controlFrame = opcode >= 0x8;
    if (this.controlFrame) return true;
    this.messageBytes += payload;
    if (this.messageBytes > this.maxMessageBytes) return false;
    if (fin) this.messageBytes = 0;
    return true;
  }
}

/** An unmasked server close frame: code + a short reason. */
export function closeFrame(code: number, reason: string): Uint8Array {
  const text = new TextEncoder().encode(reason.slice(0, 100));
  const frame = new Uint8Array(4 + text.length);
  frame[0] = 0x88;
  frame[1] = 2 + text.length;
  frame[2] = code >> 8;
  frame[3] = code & 0xff;
  frame.set(text, 4);
  return frame;
}
