// A hop with a per-message size limit, as the seed notes' python proxy was (websockets'
// max_size, 1 MiB by default): it reads the browser's WebSocket frames as they pass, adds up
// each message across its continuation frames, and over the limit answers 1009 (RFC 6455
// §7.4.1 "message too big"). The bytes themselves pass through untouched.
import { FrameWatch } from './frame-watch.ts';

/** Counts message sizes in a client → server frame stream, fed in arbitrary chunks. */
export class MessageSizeLimit {
  private readonly frames = new FrameWatch();
  private messageBytes = 0;

  constructor(readonly maxMessageBytes: number) {}

  /** False once a message went over the limit. */
  accept(chunk: Uint8Array): boolean {
    return this.frames.scan(chunk, {
      header: ({ opcode, fin, payloadLength }) => {
        // Control frames (ping, pong, close) may sit between a message's fragments and are not part of it.
        if (opcode >= 0x8) return true;
        this.messageBytes += payloadLength;
        if (this.messageBytes > this.maxMessageBytes) return false;
        if (fin) this.messageBytes = 0;
        return true;
      },
    });
  }
}
