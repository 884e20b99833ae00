// One WebSocket of the client (browserSocketFactory.ts BrowserSocketFactory.connect): opening it
// resolves once it is open; a socket that ends before opening fails the way the browser factory
// fails it — a temporary error named after the close. Once open, every byte goes to the session
// that owns the socket; a close is reported, and the owner decides what it means.
import { ProtocolError } from './errors.ts';
import { ProtocolReader, type ProtocolMessage } from './framing.ts';
import { messageBytes, openWebSocket, type WebSocketConstructor, type WebSocketLike } from './websocket.ts';
import { FrameWriter } from './writer.ts';

export interface SocketClose {
  code: number;
  reason: string;
}

export interface SocketReceiver {
  onMessage(message: ProtocolMessage): void;
  onBytes(): void;
}

export class ClientSocket {
  readonly writer: FrameWriter;
  private readonly reader = new ProtocolReader();
  private receiver: SocketReceiver | undefined;
  private closeListener: ((close: SocketClose) => void) | undefined;
  closedWith: SocketClose | undefined;
  private abandoned = false;
  private isOpen = false;

  private constructor(
    readonly ws: WebSocketLike,
    private readonly reportClose: (close: SocketClose) => void,
  ) {
    this.writer = new FrameWriter((bytes) => this.ws.send(bytes));
    ws.onmessage = (event) => this.acceptData(event.data);
    ws.onclose = (event) => this.closed({ code: event.code, reason: event.reason });
    ws.onerror = () => undefined;
  }

  /**
   * Opens a socket. Resolves when it is open; rejects with socket.closed when it ends first
   * (a refused upgrade: the browser reports 1006), the message being the close's reason or
   * `WebSocket close with status code N`, as BrowserWebSocket words its TemporarilyNotAvailable error.
   */
  static open(WebSocket: WebSocketConstructor, url: string, reportClose: (close: SocketClose) => void, onCreated: (socket: ClientSocket) => void): Promise<ClientSocket> {
    const socket = new ClientSocket(openWebSocket(WebSocket, url), reportClose);
    onCreated(socket);
    return new Promise((resolve, reject) => {
      socket.ws.onopen = () => {
        socket.isOpen = true;
        resolve(socket);
      };
      socket.closeListener = (close) => reject(openFailed(close));
    });
  }

  /** Every byte and message of this socket goes to `receiver` from now on. */
  deliverTo(receiver: SocketReceiver): void {
    this.receiver = receiver;
  }

  /** Called once when the socket ends (at once if it already has). */
  onClose(listener: (close: SocketClose) => void): void {
    this.closeListener = listener;
    if (this.closedWith && !this.abandoned) listener(this.closedWith);
  }

  /**
   * Closes from this side and forgets the socket: its late events reach no one. A socket still
   * connecting is left to connect and closed once open, as remoteAgentConnection.ts createSocket
   * does when its time limit passed first (`socket?.dispose()` in the factory's callback): the
   * workbench never closes a connecting WebSocket, which the page would report as 1006.
   */
  abandon(): void {
    if (this.abandoned) return;
    this.abandoned = true;
    this.ws.onmessage = null;
    this.ws.onopen = this.isOpen ? null : () => this.ws.close();
    this.receiver = undefined;
    this.closeListener = undefined;
    this.writer.dispose();
    if (this.isOpen) this.ws.close();
  }

  private acceptData(data: unknown): void {
    const bytes = messageBytes(data);
    if (!bytes || this.abandoned) return;
    this.receiver?.onBytes();
    let messages: ProtocolMessage[];
    try {
      messages = this.reader.acceptChunk(bytes);
    } catch {
      // Undecodable bytes: the stream cannot be resynchronised, so this socket is finished.
      const listener = this.closeListener;
      this.abandon();
      this.reportClose({ code: 1006, reason: 'protocol stream corrupt' });
      listener?.({ code: 1006, reason: 'protocol stream corrupt' });
      return;
    }
    for (const message of messages) this.receiver?.onMessage(message);
  }

  private closed(close: SocketClose): void {
    if (this.closedWith) return;
    this.closedWith = close;
    this.reportClose(close);
    if (!this.abandoned) this.closeListener?.(close);
  }
}

function openFailed(close: SocketClose): ProtocolError {
  const message = close.reason || `WebSocket close with status code ${close.code}`;
  return Object.assign(new ProtocolError('socket.closed', message), { close });
}
