// One management or extension-host connection as the workbench keeps it alive
// (remoteAgentConnection.ts): createInitialConnection, then PersistentConnection._runReconnectingLoop
// after a socket closes or times out. Which failures are retried and which are final is decided
// in reconnect-policy.ts, in VS Code's order.
import { AttemptScope } from './attempt.ts';
import { randomUuid } from './bytes.ts';
import type { Clock } from './clock.ts';
import { runClientHandshake } from './client-handshake.ts';
import { ClientSocket } from './client-socket.ts';
import { reconnectDelay, type ScaledClientTimings } from './client-timings.ts';
import { ProtocolError } from './errors.ts';
import type { ConnectionTypeCode } from './handshake.ts';
import { describeFailure, reconnectVerdict, type PermanentFailures } from './reconnect-policy.ts';
import { PersistentSession } from './persistent-session.ts';
import type { ConnectionName, TimelineEvent } from './timeline.ts';
import type { WebSocketConstructor } from './websocket.ts';

/** createInitialConnection's MAX_ATTEMPTS: back to back, each with a new reconnection token. */
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
  timings: ScaledClientTimings;
  /** The workbench's shared permanent-failure state (PersistentConnection's statics). */
  failures: PermanentFailures;
  /** reconnectionFailureIsFatal: true for management (every connection fails with it), false for the extension host. */
  fatal: boolean;
  emit(event: Omit<TimelineEvent, 't' | 'connection'>): void;
  onMessage(data: Uint8Array): void;
  /** The connection is over for good (refused reconnection, grace time spent, or a failure of a fatal connection). */
  onFailed(error: ProtocolError): void;
}

type State = 'new' | 'open' | 'reconnecting' | 'failed' | 'closed';

export class PersistentConnection {
  session: PersistentSession;
  token = randomUuid();
  /** The socket the session reads: the live one, or the last attempt's until the next attempt replaces it. */
  private socket: ClientSocket | undefined;
  private scope: AttemptScope | undefined;
  private state: State = 'new';
  private wakeReconnect: (() => void) | undefined;

  constructor(private readonly options: PersistentConnectionOptions) {
    this.session = this.createSession();
    options.failures.register(this);
  }

  get isOver(): boolean {
    return this.state === 'failed' || this.state === 'closed';
  }

  /** createInitialConnection: up to 5 attempts back to back, each with a new token; any error counts. */
  async start(): Promise<void> {
    let lastError: unknown;
    for (let attempt = 1; attempt <= FIRST_CONNECTION_ATTEMPTS; attempt++) {
      if (this.isOver) break;
      if (attempt > 1) {
        this.token = randomUuid();
        this.session = this.createSession();
      }
      try {
        await this.connectOnce(false, attempt);
        this.state = 'open';
        this.options.emit({ kind: 'handshake', reason: 'ok' });
        return;
      } catch (error) {
        lastError = error;
        // The attempt owned its protocol: socket and session go (safeDisposeProtocolAndSocket).
        this.dropSocket();
        this.session.dispose();
        if (!this.isOver) this.options.emit({ kind: 'error', reason: describeFailure(error), attempt });
      }
    }
    const error = new ProtocolError('reconnect.failed', `The workbench failed to connect to the server (Error: ${describeFailure(lastError)})`);
    // The fifth failure is permanent for the whole window (PersistentConnection.triggerPermanentFailure).
    this.options.failures.trigger(error);
    throw error;
  }

  send(data: Uint8Array): void {
    this.session.send(data);
  }

  close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.session.sendDisconnect();
    this.endAttempt(new ProtocolError('connection.disposed', 'the connection was closed'));
    this.dropSocket();
    this.session.dispose();
    this.wakeReconnect?.();
  }

  /** _gotoPermanentFailure: the state is final; pending calls fail; the socket is closed. */
  failPermanently(error: ProtocolError): void {
    if (this.isOver) return;
    const lost = this.session.unackedCount;
    this.state = 'failed';
    this.endAttempt(error);
    this.dropSocket();
    this.session.dispose();
    this.wakeReconnect?.();
    this.options.emit({ kind: 'close', reason: error.message, lost });
    this.options.onFailed(error);
  }

  private createSession(): PersistentSession {
    return new PersistentSession(
      {
        onMessage: (data) => this.options.onMessage(data),
        onSocketTimeout: () => {
          // While a reconnection loop runs, a timeout changes nothing (_beginReconnecting returns).
          if (this.state !== 'open') return;
          this.options.emit({ kind: 'error', reason: 'socket timeout: an un-acked message and nothing received for 20 s (scaled)' });
          this.beginReconnecting();
        },
        onDisconnect: () => this.failPermanently(new ProtocolError('connection.disposed', 'the server disconnected')),
      },
      { clock: this.options.clock, timings: this.options.timings.protocol },
    );
  }

  /** One socket and its handshake: connectToRemoteExtensionHostAgentAndReadOneMessage. */
  private async connectOnce(reconnection: boolean, attempt: number): Promise<void> {
    const { options } = this;
    const { clock, timings } = options;
    const limit = reconnection ? timings.reconnectAttemptTimeoutMs : timings.initialAnswerTimeoutMs;
    const scope = new AttemptScope(clock, limit === undefined ? undefined : clock.now() + limit);
    this.scope = scope;
    options.emit({ kind: 'attempt', attempt, reason: reconnection ? 'reconnection' : 'initial' });
    const socket = await scope.wait<ClientSocket>((resolve, reject) => {
      let created: ClientSocket | undefined;
      ClientSocket.open(
        options.WebSocket,
        options.url(this.token, reconnection),
        (close) => options.emit({ kind: 'close', code: close.code, reason: close.reason }),
        (s) => (created = s),
      ).then(resolve, reject);
      // createSocket: a socket that opens after the deadline is disposed at once.
      return (abandoned) => {
        if (abandoned) created?.abandon();
      };
    });
    options.emit({ kind: 'open' });
    // beginAcceptReconnection disposes whatever socket the session had (the dropped one, or a failed attempt's).
    this.dropSocket();
    this.socket = socket;
    if (reconnection) this.session.beginAcceptReconnection(socket.writer);
    else this.session.attachFirst(socket.writer);
    const session = this.session;
    socket.deliverTo({ onMessage: (message) => session.acceptMessage(message), onBytes: () => session.noteBytesReceived() });
    socket.onClose(() => {
      if (this.socket === socket && this.state === 'open') this.beginReconnecting();
    });
    await runClientHandshake({
      session,
      scope,
      commit: options.commit,
      connectionToken: options.connectionToken,
      desiredConnectionType: options.desiredConnectionType,
      args: options.args,
      signTimeoutMs: timings.handshakeTimeoutMs,
      onAccepted: reconnection ? () => session.endAcceptReconnection() : undefined,
    });
    this.scope = undefined;
  }

  /** _beginReconnecting: one loop at a time; a close or timeout while it runs changes nothing. */
  private beginReconnecting(): void {
    if (this.state !== 'open') return;
    this.state = 'reconnecting';
    void this.reconnectLoop();
  }

  private async reconnectLoop(): Promise<void> {
    const { clock, timings } = this.options;
    const loopStartedAt = clock.now();
    for (let attempt = 1; this.state === 'reconnecting'; attempt++) {
      const waitMs = reconnectDelay(timings, attempt);
      this.options.emit({ kind: 'reconnect', attempt, reason: `in ${waitMs} ms` });
      if (waitMs > 0) await this.sleep(waitMs);
      if (this.state !== 'reconnecting') return;
      try {
        const replayed = this.session.unackedCount;
        await this.connectOnce(true, attempt);
        if (this.state !== 'reconnecting') return;
        this.state = 'open';
        this.options.emit({ kind: 'handshake', reason: `reconnected, replayed ${replayed}`, lost: 0 });
        return;
      } catch (error) {
        if (this.state !== 'reconnecting') return;
        const verdict = reconnectVerdict(error, clock.now() - loopStartedAt, timings.reconnectionGraceMs);
        this.options.emit({ kind: 'error', reason: describeFailure(error), attempt });
        if (verdict === 'retry') continue;
        const failure = new ProtocolError('reconnect.failed', `Cannot reconnect. Please reload the window. (${describeFailure(error)})`);
        // _onReconnectionPermanentFailure: a fatal connection takes the whole window with it.
        if (this.options.fatal) this.options.failures.trigger(failure);
        else this.failPermanently(failure);
        return;
      }
    }
  }

  private endAttempt(error: Error): void {
    this.scope?.cancel(error);
    this.scope = undefined;
  }

  private dropSocket(): void {
    this.socket?.abandon();
    this.socket = undefined;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = this.options.clock.setTimeout(() => {
        this.wakeReconnect = undefined;
        resolve();
      }, ms);
      this.wakeReconnect = () => {
        this.wakeReconnect = undefined;
        this.options.clock.clearTimeout(timer);
        resolve();
      };
    });
  }
}
