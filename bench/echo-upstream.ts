// The upstream of the WebSocket benches: a WebSocket echo server on bare sockets, so the far end
// of every path costs little and the same for all of them. Each client frame goes back as a server
// frame with the same opcode and payload, cut-through (payload bytes are sent as they arrive); a
// close frame is answered with a close frame and TCP end, as code-server's `ws` does.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export interface EchoUpstream {
  port: number;
  close(): void;
}

export async function startEchoUpstream(): Promise<EchoUpstream> {
  const server = createServer((_req, res) => res.writeHead(426).end());
  const sockets = new Set<Socket>();
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    socket.on('error', () => {});
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    const accept = createHash('sha1').update(`${req.headers['sec-websocket-key'] ?? ''}${GUID}`).digest('base64');
    socket.setNoDelay(true);
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-accept: ${accept}\r\n\r\n`);
    const echo = new Echo(socket);
    socket.on('data', (chunk: Buffer) => echo.push(chunk));
    if (head.length) echo.push(head);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

/** One connection's client frames → the same frames, unmasked, back. */
class Echo {
  private readonly socket: Socket;
  private readonly header = Buffer.alloc(14);
  private headerFilled = 0;
  private remaining = 0;
  private readonly key = Buffer.alloc(4);
  private keyIsZero = true;
  /** Payload bytes of the current frame already unmasked (the key's phase). */
  private done = 0;
  private closing = false;

  constructor(socket: Socket) {
    this.socket = socket;
  }

  push(chunk: Buffer): void {
    this.socket.cork();
    let i = 0;
    while (i < chunk.length && !this.closing) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, chunk.length - i);
        this.payload(chunk.subarray(i, i + take));
        i += take;
        this.remaining -= take;
        continue;
      }
      this.header[this.headerFilled++] = chunk[i++] ?? 0;
      if (this.headerFilled < 2) continue;
      const len7 = (this.header[1] ?? 0) & 0x7f;
      const extended = len7 === 126 ? 2 : len7 === 127 ? 8 : 0;
      const masked = ((this.header[1] ?? 0) & 0x80) !== 0;
      if (this.headerFilled < 2 + extended + (masked ? 4 : 0)) continue;
      this.remaining = len7 === 126 ? this.header.readUInt16BE(2) : len7 === 127 ? Number(this.header.readBigUInt64BE(2)) : len7;
      this.header.copy(this.key, 0, 2 + extended, 2 + extended + 4);
      this.keyIsZero = !masked || this.key.readUInt32BE(0) === 0;
      this.done = 0;
      const out = Buffer.from(this.header.subarray(0, 2 + extended));
      out[1] = len7;
      this.headerFilled = 0;
      if (((this.header[0] ?? 0) & 0x0f) === 0x8) {
        this.closing = true;
        this.socket.end(Buffer.from([0x88, 0x02, 0x03, 0xe8]));
        break;
      }
      this.socket.write(out);
    }
    this.socket.uncork();
  }

  private payload(bytes: Buffer): void {
    if (this.keyIsZero) return void this.socket.write(bytes);
    const plain = Buffer.from(bytes);
    for (let j = 0; j < plain.length; j++) plain[j] = (plain[j] ?? 0) ^ (this.key[(this.done + j) & 3] ?? 0);
    this.done += plain.length;
    this.socket.write(plain);
  }
}
