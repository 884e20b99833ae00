// One management or extension-host connection kept by reconnectionToken. It outlives its sockets:
// when a socket ends the session waits for a reconnection for the grace time (3 h, or 5 min once
// another client connected), then is forgotten — the token is then "seen before".
import type { Clock, ProtocolTimings, TimerHandle } from '../common/clock.ts';
import { PersistentSession } from '../common/persistent-session.ts';
import type { FrameWriter } from '../common/writer.ts';
import type { ProtocolSocket } from './protocol-socket.ts';

export type ConnectionKind = 'management' | 'extensionHost';

export interface ConnectionSettings {
  clock: Clock;
  timings: ProtocolTimings;
  graceMs: number;
  shortGraceMs: number;
}

export class ServerConnection {
  readonly session: PersistentSession;
  private socket: ProtocolSocket | undefined;
  private graceTimer: TimerHandle | undefined;
  private graceEndsAt = Number.POSITIVE_INFINITY;
  private disposed = false;
  private readonly disposeListeners: (() => void)[] = [];

  constructor(
    readonly kind: ConnectionKind,
    readonly token: string,
    private readonly settings: ConnectionSettings,
    onMessage: (data: Uint8Array) => void,
    private readonly onDispose: (connection: ServerConnection) => void,
  ) {
    this.session = new PersistentSession(
      {
        onMessage,
        onDisconnect: () => this.dispose(),
      },
      // The server keeps no dead-socket timer of its own: in VS Code it only fires with un-acked
      // output, and a client that stops talking reconnects anyway (the session waits for it).
      { clock: settings.clock, timings: settings.timings, detectDeadSocket: false },
    );
  }

  get connected(): boolean {
    return this.socket !== undefined;
  }

  attach(socket: ProtocolSocket, writer: FrameWriter, reconnection: boolean): void {
    if (this.disposed) return;
    const previous = this.socket;
    this.socket = socket;
    this.cancelGrace();
    // The old socket may still look open when a client reconnects; the new one wins.
    previous?.end();
    // The handshake's answer leaves before a stop-sending fault silences the socket.
    writer.flush();
    socket.markHandshakeDone(`${this.kind} token=${this.token}${reconnection ? ' (reconnection)' : ''}`);
    this.session.attach(writer, reconnection);
    socket.onMessage(
      (message) => this.session.acceptMessage(message),
      () => this.session.noteBytesReceived(),
    );
    socket.onClose(() => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.session.detach();
      this.startGrace(this.settings.graceMs);
    });
  }

  /** A new client connected: sessions waiting for a reconnection keep at most the short grace. */
  shortenGrace(): void {
    if (this.socket || this.disposed) return;
    const remaining = this.graceEndsAt - this.settings.clock.now();
    if (remaining > this.settings.shortGraceMs) this.startGrace(this.settings.shortGraceMs);
  }

  /** For resources tied to the session, such as the extension host's start-up timer. */
  onDisposed(listener: () => void): void {
    this.disposeListeners.push(listener);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const listener of this.disposeListeners.splice(0)) listener();
    this.cancelGrace();
    this.session.dispose();
    this.socket?.end();
    this.socket = undefined;
    this.onDispose(this);
  }

  private startGrace(ms: number): void {
    this.cancelGrace();
    this.graceEndsAt = this.settings.clock.now() + ms;
    this.graceTimer = this.settings.clock.setTimeout(() => this.dispose(), ms);
  }

  private cancelGrace(): void {
    if (this.graceTimer !== undefined) this.settings.clock.clearTimeout(this.graceTimer);
    this.graceTimer = undefined;
    this.graceEndsAt = Number.POSITIVE_INFINITY;
  }
}
