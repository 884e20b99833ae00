// One upgraded WebSocket carrying the VS Code protocol: bytes in through the incremental reader,
// messages out through a FrameWriter, server faults applied at the socket. Ending is always a TCP
// end (destroy), never a WebSocket close frame — the real server never sends one.
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { concatBytes } from '../common/bytes.ts';
import { encodeMessage, MessageType, ProtocolReader, type ProtocolMessage } from '../common/framing.ts';
import { controlMessage } from '../common/handshake.ts';
import { FrameWriter } from '../common/writer.ts';
import type { FaultPlan } from './faults.ts';

/** code-server splits its output into WebSocket messages of at most 256 KiB. */
export const SERVER_MAX_FRAME_BYTES = 256 * 1024;

export class ProtocolSocket {
  private readonly reader = new ProtocolReader();
  private handler: (message: ProtocolMessage) => void = () => undefined;
  private bytesListener: () => void = () => undefined;
  private regularMessages = 0;
  private handshakeDone = false;
  private endTimer: NodeJS.Timeout | undefined;
  private readonly closeListeners: (() => void)[] = [];
  private rawListener: ((bytes: Uint8Array) => void) | undefined;
  closed = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly socket: Duplex,
    readonly plan: FaultPlan,
    /** Upgrade number, for log lines. */
    readonly id = 0,
    private readonly log: (line: string) => void = () => undefined,
    /** Restarts the whole server (the `restart` fault's afterMessages). */
    private readonly restartServer: () => void = () => undefined,
  ) {
    ws.on('message', (data: Buffer) => this.acceptBytes(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)));
    // Liveness is per TCP read, as in VS Code: a 64 MiB WebSocket message takes many reads to arrive.
    socket.on('data', () => this.bytesListener());
    ws.on('error', () => this.end());
    // ws answers a peer's close frame with one of its own; the VS Code server only ends the socket.
    ws.close = () => this.end();
    ws.on('close', () => {
      this.log(`socket #${id} closed`);
      this.closed = true;
      if (this.endTimer) clearTimeout(this.endTimer);
      for (const listener of this.closeListeners.splice(0)) listener();
    });
    if (plan.endAfterMs !== undefined) this.endTimer = setTimeout(() => this.end(), plan.endAfterMs);
  }

  onMessage(handler: (message: ProtocolMessage) => void, onBytes: () => void = () => undefined): void {
    this.handler = handler;
    this.bytesListener = onBytes;
  }

  onClose(listener: () => void): void {
    if (this.closed) listener();
    else this.closeListeners.push(listener);
  }

  /** A writer over this socket; a reconnection gets a fresh (un-paused) one, as in VS Code. */
  createWriter(): FrameWriter {
    return new FrameWriter((bytes) => this.sendBytes(bytes), {
      maxFrameBytes: SERVER_MAX_FRAME_BYTES,
      observe: (message) => this.countMessage(message),
    });
  }

  markHandshakeDone(what: string): void {
    this.log(`socket #${this.id} handshake ok: ${what}`);
    this.handshakeDone = true;
  }

  /** `{"type":"error","reason":…}` then the TCP socket ends (the browser sees 1006). */
  rejectHandshake(reason: string): void {
    if (this.closed) return;
    this.log(`socket #${this.id} handshake error: ${reason}`);
    this.ws.send(encodeMessage(controlMessage({ type: 'error', reason })), () => this.end());
  }

  end(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    // ws emits 'close' once the socket is gone; the listeners run from there.
  }

  private sendBytes(bytes: Uint8Array): void {
    if (this.closed || (this.plan.stopSending && this.handshakeDone)) return;
    this.ws.send(bytes);
  }

  /**
   * From now on the socket carries raw bytes (a Tunnel after its `ok`). Messages already parsed
   * from the current chunk are re-encoded (the encoding is exact) and partial bytes drained.
   */
  switchToRaw(listener: (bytes: Uint8Array) => void): void {
    this.rawListener = listener;
  }

  sendRaw(bytes: Uint8Array): void {
    if (!this.closed && !this.plan.stopSending) this.ws.send(bytes);
  }

  private acceptBytes(bytes: Uint8Array): void {
    if (this.closed) return;
    if (this.rawListener) return this.rawListener(bytes);
    let messages: ProtocolMessage[];
    try {
      messages = this.reader.acceptChunk(bytes);
    } catch {
      // A length beyond any sane message: the stream cannot be resynchronised.
      this.end();
      return;
    }
    for (const [index, message] of messages.entries()) {
      if (this.closed) return;
      // The handler may have switched this socket to raw bytes (a Tunnel) mid-chunk.
      const raw = this.currentRawListener();
      if (raw) {
        raw(concatBytes([...messages.slice(index).map((m) => encodeMessage(m)), this.reader.drain()]));
        return;
      }
      this.countMessage(message);
      this.handler(message);
    }
    const raw = this.currentRawListener();
    if (raw) {
      const partial = this.reader.drain();
      if (partial.byteLength > 0) raw(partial);
    }
  }

  private currentRawListener(): ((bytes: Uint8Array) => void) | undefined {
    return this.rawListener;
  }

  private countMessage(message: ProtocolMessage): void {
    const { endAfterMessages, restartAfterMessages } = this.plan;
    if (message.type !== MessageType.Regular || (endAfterMessages === undefined && restartAfterMessages === undefined)) return;
    this.regularMessages++;
    if (endAfterMessages !== undefined && this.regularMessages >= endAfterMessages) queueMicrotask(() => this.end());
    if (restartAfterMessages !== undefined && this.regularMessages === restartAfterMessages) queueMicrotask(() => this.restartServer());
  }
}
