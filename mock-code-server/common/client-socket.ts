// One WebSocket of the client, from `new WebSocket` through the handshake
// (remoteAgentConnection.ts): auth → sign → connectionType → ok / `{}` / error. Messages that
// follow the handshake in the same frame are held until the session takes the socket over.
import { randomUuid } from './bytes.ts';
import type { Clock, TimerHandle } from './clock.ts';
import { ProtocolError } from './errors.ts';
import { MessageType, ProtocolReader, type ProtocolMessage } from './framing.ts';
import { ConnectionType, controlMessage, isObject, parseControl, type ConnectionTypeCode } from './handshake.ts';
import { messageBytes, openWebSocket, type WebSocketConstructor, type WebSocketLike } from './websocket.ts';
import { FrameWriter } from './writer.ts';

export interface SocketClose {
  code: number;
  reason: string;
}

export interface HandshakeRequest {
  WebSocket: WebSocketConstructor;
  url: string;
  commit: string;
  connectionToken: string;
  desiredConnectionType: ConnectionTypeCode;
  args?: unknown;
  clock: Clock;
  /** How long to wait for each handshake answer (VS Code: 10 s). */
  handshakeTimeoutMs: number;
  onOpen(): void;
  /** Every close of this socket, whatever the phase: the timeline reports them all. */
  onClose(close: SocketClose): void;
}

export class ClientSocket {
  /** The writer the handshake used; the first session keeps it (a Pause already applies to it). */
  readonly writer: FrameWriter;
  private readonly reader = new ProtocolReader();
  private held: ProtocolMessage[] = [];
  private handler: ((message: ProtocolMessage) => void) | undefined;
  private bytesListener: (() => void) | undefined;
  private controlWaiter: { resolve: (data: Uint8Array) => void; reject: (error: Error) => void } | undefined;
  private closeListener: ((close: SocketClose) => void) | undefined;
  closedWith: SocketClose | undefined;

  private abandoned = false;

  constructor(
    readonly ws: WebSocketLike,
    private readonly reportClose: (close: SocketClose) => void,
  ) {
    this.writer = new FrameWriter((bytes) => this.ws.send(bytes));
    ws.onmessage = (event) => this.acceptData(event.data);
    ws.onclose = (event) => this.closed({ code: event.code, reason: event.reason });
    ws.onerror = () => undefined;
  }

  /** A fresh writer over this socket: a reconnected session does not inherit the handshake's Pause. */
  createWriter(): FrameWriter {
    return new FrameWriter((bytes) => this.ws.send(bytes));
  }

  onClose(listener: (close: SocketClose) => void): void {
    this.closeListener = listener;
    if (this.closedWith) listener(this.closedWith);
  }

  handoff(handler: (message: ProtocolMessage) => void, onBytes: () => void): void {
    this.bytesListener = onBytes;
    this.handler = handler;
    for (const message of this.held.splice(0)) handler(message);
  }

  nextControl(clock: Clock, timeoutMs: number): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      if (this.closedWith) return reject(closedError(this.closedWith));
      const timer: TimerHandle = clock.setTimeout(() => {
        this.controlWaiter = undefined;
        reject(new ProtocolError('HANDSHAKE_TIMEOUT', `no handshake answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.controlWaiter = {
        resolve: (data) => {
          clock.clearTimeout(timer);
          resolve(data);
        },
        reject: (error) => {
          clock.clearTimeout(timer);
          reject(error);
        },
      };
    });
  }

  /** Closes from this side and forgets the socket: its late events no longer reach anyone. */
  abandon(): void {
    this.abandoned = true;
    this.ws.onmessage = null;
    this.closeListener = undefined;
    this.controlWaiter = undefined;
    this.writer.dispose();
    try {
      this.ws.close();
    } catch {
      // Closing a socket that is still connecting throws in some implementations; it is gone anyway.
    }
  }

  private acceptData(data: unknown): void {
    const bytes = messageBytes(data);
    if (!bytes) return;
    this.bytesListener?.();
    let messages: ProtocolMessage[];
    try {
      messages = this.reader.acceptChunk(bytes);
    } catch {
      // Undecodable bytes: the stream cannot be resynchronised, so this socket is finished.
      const listener = this.closeListener;
      this.abandon();
      listener?.({ code: 1006, reason: 'protocol stream corrupt' });
      return;
    }
    for (const message of messages) {
      if (this.handler) this.handler(message);
      else this.beforeHandoff(message);
    }
  }

  private beforeHandoff(message: ProtocolMessage): void {
    if (message.type === MessageType.Control && this.controlWaiter) {
      const waiter = this.controlWaiter;
      this.controlWaiter = undefined;
      waiter.resolve(message.data);
    } else if (message.type === MessageType.Pause) {
      this.writer.pause();
    } else if (message.type === MessageType.Resume) {
      this.writer.resume();
    } else {
      this.held.push(message);
    }
  }

  private closed(close: SocketClose): void {
    if (this.closedWith) return;
    this.closedWith = close;
    this.reportClose(close);
    if (this.abandoned) return;
    this.controlWaiter?.reject(closedError(close));
    this.controlWaiter = undefined;
    this.closeListener?.(close);
  }
}

function closedError(close: SocketClose): ProtocolError {
  return Object.assign(new ProtocolError('SOCKET_CLOSED', `WebSocket close with status code ${close.code}`), { close });
}

function waitForOpen(socket: ClientSocket, onOpen: () => void): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.ws.onopen = () => {
      onOpen();
      resolve();
    };
    socket.onClose((close) => reject(closedError(close)));
  });
}

/** Runs the client half of the handshake; resolves with the socket ready for a session. */
export async function clientHandshake(request: HandshakeRequest): Promise<ClientSocket> {
  const socket = new ClientSocket(openWebSocket(request.WebSocket, request.url), request.onClose);
  try {
    await waitForOpen(socket, request.onOpen);
    socket.writer.write(controlMessage({ type: 'auth', auth: request.connectionToken, data: randomUuid() }));
    const sign = parseControl(await socket.nextControl(request.clock, request.handshakeTimeoutMs));
    rejectIfError(sign);
    if (!isObject(sign) || sign.type !== 'sign' || typeof sign.data !== 'string') {
      throw new ProtocolError('HANDSHAKE_UNEXPECTED', 'Unexpected handshake message');
    }
    const connectionType: Record<string, unknown> = {
      type: 'connectionType',
      commit: request.commit,
      // Open-source servers do not check this; VS Code would sign sign.data with vsda here.
      signedData: sign.data,
      desiredConnectionType: request.desiredConnectionType,
    };
    if (request.args !== undefined) connectionType.args = request.args;
    socket.writer.write(controlMessage(connectionType));
    const answer = parseControl(await socket.nextControl(request.clock, request.handshakeTimeoutMs));
    rejectIfError(answer);
    const accepted =
      request.desiredConnectionType === ConnectionType.Management ? isObject(answer) && answer.type === 'ok' : isObject(answer);
    if (!accepted) throw new ProtocolError('HANDSHAKE_UNEXPECTED', 'Unexpected handshake message');
    return socket;
  } catch (error) {
    socket.abandon();
    throw error;
  }
}

function rejectIfError(message: unknown): void {
  if (isObject(message) && message.type === 'error') {
    throw Object.assign(new ProtocolError('HANDSHAKE_REJECTED', String(message.reason)), { reason: String(message.reason) });
  }
}
