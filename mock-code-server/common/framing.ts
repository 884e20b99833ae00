// The VS Code remote protocol frame (ipc.net.ts): a 13-byte big-endian header then the data.
//   type u8 | id u32 | ack u32 | length u32 | data[length]
// The protocol is a byte stream across WebSocket messages: one WebSocket message may hold several
// protocol messages and one protocol message may span several WebSocket messages.
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

export function encodeHeader(message: ProtocolMessage): Uint8Array {
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
 * bytes, then collecting `length` data bytes straight into a buffer of that size, so a 64 MiB
 * message split over 256 frames is copied once, not re-concatenated per chunk.
 */
export class ProtocolReader {
  private readonly maxMessageBytes: number;
  private state: 'header' | 'data' = 'header';
  private readonly header = new Uint8Array(HEADER_LENGTH);
  private headerFilled = 0;
  private pending: ProtocolMessage | undefined;
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
        const message = this.beginMessage();
        if (message.data.byteLength === 0) out.push(message);
        else {
          this.pending = message;
          this.dataFilled = 0;
          this.state = 'data';
        }
        this.headerFilled = 0;
      } else {
        const pending = this.pending as ProtocolMessage;
        const take = Math.min(pending.data.byteLength - this.dataFilled, chunk.byteLength - offset);
        pending.data.set(chunk.subarray(offset, offset + take), this.dataFilled);
        this.dataFilled += take;
        offset += take;
        if (this.dataFilled === pending.data.byteLength) {
          out.push(pending);
          this.pending = undefined;
          this.state = 'header';
        }
      }
    }
    return out;
  }

  private beginMessage(): ProtocolMessage {
    const view = new DataView(this.header.buffer);
    const length = view.getUint32(9);
    if (length > this.maxMessageBytes) {
      throw new ProtocolError('FRAME_TOO_LARGE', `protocol message of ${length} bytes exceeds ${this.maxMessageBytes}`);
    }
    return {
      type: view.getUint8(0),
      id: view.getUint32(1),
      ack: view.getUint32(5),
      data: length === 0 ? EMPTY : new Uint8Array(length),
    };
  }
}
