// A browser's side of a WebSocket, byte by byte, for the leak test, the conformance table and the
// soak: it can send what no WebSocket library sends (unmasked frames, RSV bits, a close announcing
// 64 MiB) and end the way a browser tab does (a clean close, or an RST). Its close code is what a
// browser's onclose reports: the code of the first close frame received, 1005 for one without a
// code, 1006 when TCP ended without one; and like a browser it answers a close frame with its own.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { headerLength, payloadLength } from '../../common/websocket-frame.ts';

export interface ServerFrame {
  fin: boolean;
  opcode: number;
  payload: Buffer;
}

export interface RawSession {
  socket: Socket;
  /** The server's frames, in order, as they arrive. */
  next(): Promise<ServerFrame | undefined>;
  /** A masked frame (or any bytes, with `raw`). */
  send(opcode: number, payload: Buffer | string, options?: { fin?: boolean }): void;
  raw(bytes: Buffer): void;
  /** The close code a browser would report, once the session is over (1006: TCP ended without a close frame). */
  closed: Promise<number>;
  /** A clean close: our close frame, then the server's answer and its TCP end. */
  close(code: number, reason?: string): Promise<number>;
  /** An RST, as a tab that is killed or loses its network sends. */
  reset(): void;
}

export function maskedFrame(opcode: number, payload: Buffer, fin = true, key = randomBytes(4)): Buffer {
  const length = payload.length < 126 ? [payload.length] : payload.length < 65536 ? [126, payload.length >> 8, payload.length & 0xff] : [127, ...bigLength(payload.length)];
  const header = Buffer.from([(fin ? 0x80 : 0) | opcode, 0x80 | (length[0] ?? 0), ...length.slice(1)]);
  const masked = Buffer.from(payload);
  for (let i = 0; i < masked.length; i++) masked[i] = (masked[i] ?? 0) ^ (key[i & 3] ?? 0);
  return Buffer.concat([header, key, masked]);
}

function bigLength(n: number): number[] {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64BE(BigInt(n));
  return [...bytes];
}

export function closePayload(code: number, reason = ''): Buffer {
  const payload = Buffer.alloc(2 + Buffer.byteLength(reason));
  payload.writeUInt16BE(code, 0);
  payload.write(reason, 2);
  return payload;
}

/** Opens a WebSocket to `host:port` + `path` and resolves once the 101 has arrived. */
export async function openRawSession(host: string, port: number, path: string, timeoutMs = 10_000): Promise<RawSession> {
  const socket = connect({ host, port, noDelay: true });
  socket.on('error', () => {}); // an RST from the server ends as 1006, which `closed` reports
  await once(socket, 'connect');
  socket.write(`GET ${path} HTTP/1.1\r\nhost: ${host}:${port}\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-key: ${randomBytes(16).toString('base64')}\r\nsec-websocket-version: 13\r\n\r\n`);
  let buffered = Buffer.alloc(0);
  const frames: ServerFrame[] = [];
  const waiting: ((frame: ServerFrame | undefined) => void)[] = [];
  let ended = false;
  let closeCode: number | undefined;
  let closeSent = false;
  let resolveClosed!: (code: number) => void;
  const closed = new Promise<number>((resolve) => (resolveClosed = resolve));
  const opened = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no 101 after ${timeoutMs} ms`)), timeoutMs);
    let head = true;
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (head) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end === -1) return;
        const status = buffered.subarray(0, end).toString('latin1').split('\r\n')[0] ?? '';
        clearTimeout(timer);
        if (!/^HTTP\/1\.1 101 /.test(status)) return reject(new Error(`upgrade refused: ${status}`));
        head = false;
        buffered = buffered.subarray(end + 4);
        resolve();
      }
      for (let frame = take(); frame; frame = take()) {
        if (frame.opcode === 0x8 && closeCode === undefined) {
          closeCode = frame.payload.length >= 2 ? frame.payload.readUInt16BE(0) : 1005;
          // A browser answers a close with one of its own (RFC 6455 §5.5.1), echoing the code.
          if (!closeSent) {
            closeSent = true;
            socket.write(maskedFrame(0x8, frame.payload.subarray(0, 2)));
          }
        }
        const waiter = waiting.shift();
        if (waiter) waiter(frame);
        else frames.push(frame);
      }
    });
    socket.once('close', () => {
      clearTimeout(timer);
      reject(new Error('closed before the 101'));
      ended = true;
      for (const waiter of waiting.splice(0)) waiter(undefined);
      resolveClosed(closeCode ?? 1006);
    });
  });
  const take = (): ServerFrame | undefined => {
    if (buffered.length < 2) return undefined;
    const header = headerLength(buffered[1] ?? 0);
    if (buffered.length < header) return undefined;
    const length = payloadLength(buffered, 0);
    if (buffered.length < header + length) return undefined;
    const frame = { fin: ((buffered[0] ?? 0) & 0x80) !== 0, opcode: (buffered[0] ?? 0) & 0x0f, payload: Buffer.from(buffered.subarray(header, header + length)) };
    buffered = buffered.subarray(header + length);
    return frame;
  };
  await opened;
  const session: RawSession = {
    socket,
    next: () => {
      const frame = frames.shift();
      if (frame || ended) return Promise.resolve(frame);
      return new Promise((resolve) => waiting.push(resolve));
    },
    send: (opcode, payload, options = {}) => socket.write(maskedFrame(opcode, Buffer.from(payload), options.fin ?? true)),
    raw: (bytes) => socket.write(bytes),
    closed,
    close: (code, reason = '') => {
      closeSent = true;
      session.send(0x8, closePayload(code, reason));
      // RFC 6455 §7.1.1: the server closes TCP first; the client ends its side once it has.
      socket.once('end', () => socket.end());
      return closed;
    },
    reset: () => socket.resetAndDestroy(),
  };
  return session;
}
