// One management or extension-host connection as the workbench keeps it alive
// (remoteAgentConnection.ts PersistentConnection): first connection up to 5 attempts with fresh
// tokens; after a working socket drops, reconnect with the same token on VS Code's schedule and
// let the session replay whatever the old socket lost. A handshake refusal is final.
import { randomUuid } from './bytes.ts';
import { ProtocolConstants, protocolTimings, type Clock } from './clock.ts';
import { clientHandshake, type ClientSocket } from './client-socket.ts';
import { ProtocolError } from './errors.ts';
import type { ConnectionTypeCode } from './handshake.ts';
import { PersistentSession } from './session.ts';
import type { ConnectionName, TimelineEvent } from './timeline.ts';
import type { WebSocketConstructor } from './websocket.ts';

/** Seconds between reconnection attempts after a drop; then every 30 s (remoteAgentConnection.ts). */
export const RECONNECT_DELAYS_S = [0, 5, 5, 10, 10, 10, 10, 10, 30] as const;
export const FIRST_CONNECTION_ATTEMPTS = 5;

export interface PersistentConnectionOptions {
  name: ConnectionName;
  desiredConnectionType: ConnectionTypeCode;
  args?: unknown;
  WebSocket: WebSocketConstructor;
  url(token: string, reconnection: boolean): string;
  commit: string;
  connectionToken: string;
  clock: Clock;
  timeScale: number;
  emit(event: Omit<TimelineEvent, 't' | 'connection'>): void;
  onMessage(data: Uint8Array): void;
  /** The connection is over for good (refused reconnection, grace time spent, or closed). */
  onFailed(error: ProtocolError): void;
}

export class PersistentConnection {
  readonly session: PersistentSession;
  token = randomUuid();
  private socket: ClientSocket | undefined;
  private state: 'new' | 'open' | 'reconnecting' | 'failed' | 'closed' = 'new';
  private wakeReconnect: (() => void) | undefined;

  constructor(private readonly options: PersistentConnectionOptions) {
    this.session = new PersistentSession(
      {
        onMessage: options.onMessage,
        onSocketTimeout: () => {
          options.emit({ kind: 'error', reason: 'socket timeout: nothing received for 20 s (scaled)' });
          this.socketLost();
        },
        onDisconnect: () => this.fail(new ProtocolError('CONNECTION_DISPOSED', 'the server disconnected')),
      },
      { clock: options.clock, timings: protocolTimings(options.timeScale) },
    );
  }

  /** The first connection: up to 5 attempts back to back, each with a new token. */
  async start(): Promise<void> {
    let lastError: unknown;
    for (let attempt = 1; attempt <= FIRST_CONNECTION_ATTEMPTS; attempt++) {
      if (this.state === 'closed') break;
      try {
        const socket = await this.handshake(false);
        this.adopt(socket, socket.writer, false);
        return;
      } catch (error) {
        lastError = error;
        this.token = randomUuid();
      }
    }
    const detail = lastError instanceof Error ? lastError.message : String(lastError);
    throw new ProtocolError('RECONNECT_FAILED', `The workbench failed to connect to the server (Error: ${detail})`);
  }

  send(data: Uint8Array): void {
    this.session.send(data);
  }

  close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.session.sendDisconnect();
    this.socket?.abandon();
    this.socket = undefined;
    this.session.dispose();
    this.wakeReconnect?.();
  }

  private handshake(reconnection: boolean): Promise<ClientSocket> {
    const { options } = this;
    return clientHandshake({
      WebSocket: options.WebSocket,
      url: options.url(this.token, reconnection),
      commit: options.commit,
      connectionToken: options.connectionToken,
      desiredConnectionType: options.desiredConnectionType,
      args: options.args,
      clock: options.clock,
      handshakeTimeoutMs: ProtocolConstants.HandshakeTimeoutMs * options.timeScale,
      onOpen: () => options.emit({ kind: 'open' }),
      onClose: (close) => options.emit({ kind: 'close', code: close.code, reason: close.reason }),
    });
  }

  private adopt(socket: ClientSocket, writer: ClientSocket['writer'], reconnection: boolean): void {
    this.socket = socket;
    this.state = 'open';
    const replayed = this.session.unackedCount;
    this.session.attach(writer, reconnection);
    socket.handoff(
      (message) => this.session.acceptMessage(message),
      () => this.session.noteBytesReceived(),
    );
    socket.onClose(() => {
      if (this.socket === socket) this.socketLost();
    });
    this.options.emit({ kind: 'handshake', reason: reconnection ? `reconnected, replayed ${replayed}` : 'ok', ...(reconnection ? { lost: 0 } : {}) });
  }

  private socketLost(): void {
    if (this.state !== 'open') return;
    this.socket?.abandon();
    this.socket = undefined;
    this.session.detach();
    this.state = 'reconnecting';
    void this.reconnectLoop();
  }

  private async reconnectLoop(): Promise<void> {
    const { clock, timeScale } = this.options;
    const giveUpAt = clock.now() + ProtocolConstants.ReconnectionGraceTimeMs * timeScale;
    for (let attempt = 1; this.state === 'reconnecting'; attempt++) {
      const delayMs = (RECONNECT_DELAYS_S[attempt - 1] ?? 30) * 1000 * timeScale;
      if (clock.now() + delayMs > giveUpAt) {
        return this.fail(new ProtocolError('RECONNECT_FAILED', 'Cannot reconnect. Please reload the window.'));
      }
      this.options.emit({ kind: 'reconnect', attempt, reason: `in ${delayMs} ms` });
      await this.sleep(delayMs);
      if (this.state !== 'reconnecting') return;
      try {
        const socket = await this.withAttemptTimeout(this.handshake(true));
        if (this.state !== 'reconnecting') {
          socket.abandon();
          return;
        }
        this.adopt(socket, socket.createWriter(), true);
        return;
      } catch (error) {
        if (error instanceof ProtocolError && error.code === 'HANDSHAKE_REJECTED') {
          this.options.emit({ kind: 'error', reason: error.message });
          return this.fail(new ProtocolError('RECONNECT_FAILED', `Cannot reconnect. Please reload the window. (${error.message})`));
        }
        this.options.emit({ kind: 'error', reason: error instanceof Error ? error.message : String(error), attempt });
      }
    }
  }

  private withAttemptTimeout(pending: Promise<ClientSocket>): Promise<ClientSocket> {
    const { clock, timeScale } = this.options;
    const limitMs = ProtocolConstants.ReconnectAttemptTimeoutMs * timeScale;
    return new Promise((resolve, reject) => {
      let timedOut = false;
      const timer = clock.setTimeout(() => {
        timedOut = true;
        reject(new ProtocolError('HANDSHAKE_TIMEOUT', `reconnection attempt over ${limitMs} ms`));
      }, limitMs);
      pending.then(
        (socket) => {
          clock.clearTimeout(timer);
          // A handshake that completes after its deadline must not leave its socket open.
          if (timedOut) socket.abandon();
          else resolve(socket);
        },
        (error: unknown) => {
          clock.clearTimeout(timer);
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = this.options.clock.setTimeout(() => {
        this.wakeReconnect = undefined;
        resolve();
      }, ms);
      this.wakeReconnect = () => {
        this.options.clock.clearTimeout(timer);
        resolve();
      };
    });
  }

  private fail(error: ProtocolError): void {
    if (this.state === 'failed' || this.state === 'closed') return;
    const lost = this.session.unackedCount;
    this.state = 'failed';
    this.socket?.abandon();
    this.socket = undefined;
    this.session.dispose();
    this.options.emit({ kind: 'close', reason: error.message, lost });
    this.options.onFailed(error);
  }
}
