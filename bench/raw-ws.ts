// The bench's WebSocket client, on bare sockets: a load generator that costs less than what it
// measures. A message is built once and written as often as needed (masked with an all-zero key,
// which RFC 6455 §5.3 allows and which leaves the payload as it is), and the echoes are counted by
// reading frame headers only — no per-message object, no unmasking, no copy.
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

/** A binary message as a client sends it: FIN + binary, masked with the key 00 00 00 00. */
export function clientMessage(size: number): Buffer {
  const extended = size < 126 ? 0 : size < 65536 ? 2 : 8;
  const frame = Buffer.alloc(2 + extended + 4 + size, 7);
  frame[0] = 0x82;
  frame[1] = 0x80 | (extended === 0 ? size : extended === 2 ? 126 : 127);
  if (extended === 2) frame.writeUInt16BE(size, 2);
  if (extended === 8) frame.writeBigUInt64BE(BigInt(size), 2);
  frame.fill(0, 2 + extended, 2 + extended + 4);
  return frame;
}

/**
 * Counts the server's messages as their last byte arrives: data frames with FIN set (a message may
 * come in fragments; control frames are not messages). `push` returns how many ended in the chunk;
 * a header split across chunks is gathered in a fixed 10-byte buffer.
 */
export class MessageCounter {
  private remaining = 0;
  private endsMessage = false;
  private readonly header = Buffer.alloc(10);
  private headerFilled = 0;

  push(chunk: Buffer): number {
    let ended = 0;
    let i = 0;
    while (i < chunk.length) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, chunk.length - i);
        i += take;
        this.remaining -= take;
        if (this.remaining === 0 && this.endsMessage) ended++;
        continue;
      }
      this.header[this.headerFilled++] = chunk[i++] ?? 0;
      if (this.headerFilled < 2) continue;
      const len7 = (this.header[1] ?? 0) & 0x7f;
      const headerBytes = len7 === 126 ? 4 : len7 === 127 ? 10 : 2;
      if (this.headerFilled < headerBytes) continue;
      const b0 = this.header[0] ?? 0;
      this.endsMessage = (b0 & 0x80) !== 0 && (b0 & 0x08) === 0;
      this.remaining = len7 === 126 ? this.header.readUInt16BE(2) : len7 === 127 ? Number(this.header.readBigUInt64BE(2)) : len7;
      this.headerFilled = 0;
      if (this.remaining === 0 && this.endsMessage) ended++;
    }
    return ended;
  }
}

export interface RawWebSocket {
  socket: Socket;
  /** How many of the server's messages ended in each chunk; set it before sending. */
  onMessages: (count: number) => void;
  send(frame: Buffer): boolean;
  /** A close frame (1000); the socket goes when the server ends TCP after its answer, or after `ms`. */
  close(ms?: number): Promise<void>;
}

/** Opens a WebSocket to 127.0.0.1:`port` `path` and resolves once the 101 has arrived. */
export function openRawWebSocket(port: number, path: string): Promise<RawWebSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, noDelay: true });
    let head = Buffer.alloc(0);
    const fail = (error: Error) => {
      socket.destroy();
      reject(error);
    };
    socket.once('error', fail);
    socket.write(`GET ${path} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-key: ${randomBytes(16).toString('base64')}\r\nsec-websocket-version: 13\r\n\r\n`);
    const onHead = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) return;
      socket.off('data', onHead);
      socket.off('error', fail);
      if (!head.subarray(0, 12).toString('latin1').startsWith('HTTP/1.1 101')) return fail(new Error(`no 101: ${head.subarray(0, 40).toString('latin1')}`));
      socket.on('error', () => {});
      const counter = new MessageCounter();
      const ws: RawWebSocket = {
        socket,
        onMessages: () => {},
        send: (frame) => socket.write(frame),
        close: (ms = 2000) => closeRaw(socket, ms),
      };
      socket.on('data', (data: Buffer) => {
        const ended = counter.push(data);
        if (ended) ws.onMessages(ended);
      });
      counter.push(head.subarray(end + 4)); // the server does not speak first: nothing here to report
      resolve(ws);
    };
    socket.on('data', onHead);
  });
}

const closeNormal = Buffer.from([0x88, 0x82, 0, 0, 0, 0, 0x03, 0xe8]);

function closeRaw(socket: Socket, ms: number): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed) return resolve();
    const timer = setTimeout(() => socket.destroy(), ms);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.write(closeNormal);
  });
}
