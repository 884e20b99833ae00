// The VS Code remote protocol frame (ipc.net.ts): a 13-byte big-endian header then the data.
//   type u8 | id u32 | ack u32 | length u32 | data[length]
// The protocol is a byte stream across WebSocket messages: one WebSocket message may hold several
// protocol messages and one protocol message may span several WebSocket messages.
import { concatBytes } from './bytes.ts';
import { ProtocolError } from './errors.ts';

export const HEADER_LENGTH = 13;

export const MessageType = {
  None: 0,
  Regular: 1,
  Control: 2,
  Ack: 3,
  Disconnect: 5,
  ReplayRequest: 6,
  Pause: 7,
  Resume: 8,
  KeepAlive: 9,
} as const;
export type MessageTypeCode = number;

export interface ProtocolMessage {
  type: MessageTypeCode;
  id: number;
  ack: number;
  data: Uint8Array;
}

const EMPTY = new Uint8Array(0);

export function protocolMessage(type: MessageTypeCode, id = 0, ack = 0, data: Uint8Array = EMPTY): ProtocolMessage {
  return { type, id, ack, data };
}

function encodeHeader(message: ProtocolMessage): Uint8Array {
  const header = new Uint8Array(HEADER_LENGTH);
  const view = new DataView(header.buffer);
  view.setUint8(0, message.type);
  view.setUint32(1, message.id >>> 0);
  view.setUint32(5, message.ack >>> 0);
  view.setUint32(9, message.data.byteLength);
  return header;
}

export function encodeMessage(message: ProtocolMessage): Uint8Array {
  const out = new Uint8Array(HEADER_LENGTH + message.data.byteLength);
  out.set(encodeHeader(message), 0);
  out.set(message.data, HEADER_LENGTH);
  return out;
}

export interface ProtocolReaderOptions {
  /** Largest data length accepted, in bytes. Default 256 MiB: the extension host sends multi-MiB messages. */
  maxMessageBytes?: number;
}

const DEFAULT_MAX_MESSAGE_BYTES = 256 * 1024 * 1024;

/**
 * Incremental reader: bytes in, complete messages out. Two states — collecting the 13 header
 * bytes, then collecting `length` data bytes. Data parts are kept as views of the incoming chunks
 * and joined once when the message is complete: a 64 MiB message split over 256 frames is copied
 * once, and a forged length costs no memory until the bytes actually arrive. Callers must not
 * reuse a chunk's memory after passing it in.
 */
export class ProtocolReader {
  private readonly maxMessageBytes: number;
  private state: 'header' | 'data' = 'header';
  private readonly header = new Uint8Array(HEADER_LENGTH);
  private headerFilled = 0;
  private pending: Omit<ProtocolMessage, 'data'> & { length: number } = { type: 0, id: 0, ack: 0, length: 0 };
  private parts: Uint8Array[] = [];
  private dataFilled = 0;

  constructor(options: ProtocolReaderOptions = {}) {
    this.maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  }

  /** Bytes held for a message not yet complete (0 between messages). */
  get bufferedBytes(): number {
    return this.state === 'header' ? this.headerFilled : HEADER_LENGTH + this.dataFilled;
  }

  acceptChunk(chunk: Uint8Array): ProtocolMessage[] {
    const out: ProtocolMessage[] = [];
    let offset = 0;
    while (offset < chunk.byteLength) {
      if (this.state === 'header') {
        const take = Math.min(HEADER_LENGTH - this.headerFilled, chunk.byteLength - offset);
        this.header.set(chunk.subarray(offset, offset + take), this.headerFilled);
        this.headerFilled += take;
        offset += take;
        if (this.headerFilled < HEADER_LENGTH) break;
        this.headerFilled = 0;
        this.readHeader();
        if (this.pending.length === 0) out.push(this.complete());
        else this.state = 'data';
      } else {
        const take = Math.min(this.pending.length - this.dataFilled, chunk.byteLength - offset);
        this.parts.push(chunk.subarray(offset, offset + take));
        this.dataFilled += take;
        offset += take;
        if (this.dataFilled === this.pending.length) out.push(this.complete());
      }
    }
    return out;
  }

  /**
   * Hands back the bytes of a message not yet complete and resets the reader: after a Tunnel
   * handshake the rest of the stream is raw bytes, not frames.
   */
  drain(): Uint8Array {
    const header = this.header.slice(0, this.state === 'header' ? this.headerFilled : HEADER_LENGTH);
    const out = concatBytes([header, ...this.parts]);
    this.parts = [];
    this.dataFilled = 0;
    this.headerFilled = 0;
    this.state = 'header';
    return out;
  }

  private readHeader(): void {
    const view = new DataView(this.header.buffer);
    const length = view.getUint32(9);
    if (length > this.maxMessageBytes) {
      throw new ProtocolError('frame.too_large', `protocol message of ${length} bytes exceeds ${this.maxMessageBytes}`);
    }
    this.pending = { type: view.getUint8(0), id: view.getUint32(1), ack: view.getUint32(5), length };
  }

  private complete(): ProtocolMessage {
    const { type, id, ack } = this.pending;
    const data = this.parts.length === 0 ? EMPTY : concatBytes(this.parts);
    this.parts = [];
    this.dataFilled = 0;
    this.state = 'header';
    return { type, id, ack, data };
  }
}
