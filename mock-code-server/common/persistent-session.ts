// The persistent protocol of one connection (ipc.net.ts PersistentProtocol), independent of any
// socket: Regular ids, acks, keepalives, ReplayRequest, replay of un-acked messages when a new
// socket is accepted, and the dead-socket check. Both the server and the client use it.
import { systemClock, type Clock, type TimerHandle, type ProtocolTimings, protocolTimings } from './clock.ts';
import { MessageType, protocolMessage, type ProtocolMessage } from './framing.ts';
import type { FrameWriter } from './writer.ts';

export interface SessionEvents {
  /** A Regular message's data, each exactly once and in order. */
  onMessage(data: Uint8Array): void;
  /** The dead-socket check fired (the client reconnects). */
  onSocketTimeout?(): void;
  /** The peer sent Disconnect: a graceful end, no reconnection. */
  onDisconnect?(): void;
}

export interface SessionOptions {
  clock?: Clock;
  timings?: ProtocolTimings;
  /** Run the dead-socket check (default true). The mock server leaves it to the client. */
  detectDeadSocket?: boolean;
}

/** A Regular not yet acknowledged, and when it last went out on a socket (0: not yet). */
interface Unacked {
  message: ProtocolMessage;
  writtenAt: number;
}

export class PersistentSession {
  private readonly clock: Clock;
  private readonly timings: ProtocolTimings;
  private writer: FrameWriter | undefined;
  private outgoingId = 0;
  private outgoingAckId = 0;
  private incomingId = 0;
  private incomingAckId = 0;
  private incomingLastTime = 0;
  private lastReadTime = 0;
  private lastReplayRequestTime = Number.NEGATIVE_INFINITY;
  private lastSocketTimeoutTime = 0;
  private reconnecting = false;
  private unacked: Unacked[] = [];
  private ackTimer: TimerHandle | undefined;
  private keepAliveTimer: TimerHandle | undefined;
  private deadSocketTimer: TimerHandle | undefined;
  private disposed = false;
  private readonly detectDeadSocket: boolean;
  private readonly controlListeners = new Set<(data: Uint8Array) => void>();
  private heldControls: Uint8Array[] = [];

  constructor(
    private readonly events: SessionEvents,
    options: SessionOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.timings = options.timings ?? protocolTimings(1);
    this.detectDeadSocket = options.detectDeadSocket ?? true;
  }

  get unackedCount(): number {
    return this.unacked.length;
  }

  /**
   * Control messages (the handshake's JSON). As VS Code's BufferedEmitter does, those that arrive
   * while nobody listens are held and handed to the next listener. Returns the unsubscribe.
   */
  onControlMessage(listener: (data: Uint8Array) => void): () => void {
    this.controlListeners.add(listener);
    for (const data of this.heldControls.splice(0)) listener(data);
    return () => this.controlListeners.delete(listener);
  }

  /** The connection's first socket: output goes there from now on (PersistentProtocol's constructor). */
  attachFirst(writer: FrameWriter): void {
    this.useSocket(writer);
  }

  /**
   * A new socket replaces the old one (beginAcceptReconnection): the old writer is dropped, and
   * Regulars sent from now on wait in the un-acked queue until endAcceptReconnection. Keepalives
   * keep flowing on the new socket meanwhile.
   */
  beginAcceptReconnection(writer: FrameWriter): void {
    this.useSocket(writer);
    this.reconnecting = true;
    this.lastReplayRequestTime = Number.NEGATIVE_INFINITY;
    this.heldControls = [];
  }

  /** The handshake on the new socket succeeded: tell the peer what arrived (an Ack) and re-send every un-acked Regular. */
  endAcceptReconnection(): void {
    if (this.disposed || !this.writer) return;
    this.reconnecting = false;
    this.incomingAckId = this.incomingId;
    this.writer.write(protocolMessage(MessageType.Ack, 0, this.incomingAckId));
    for (const entry of this.unacked) this.writeRegular(entry);
    this.recvAckCheck();
  }

  /** The server's path: a fresh connection, or a reconnection accepted in one step. */
  attach(writer: FrameWriter, reconnection: boolean): void {
    if (!reconnection) return this.attachFirst(writer);
    this.beginAcceptReconnection(writer);
    this.endAcceptReconnection();
  }

  /** The socket is gone; messages sent from now on wait for the next socket. */
  detach(): void {
    this.writer?.dispose();
    this.writer = undefined;
    this.clearTimer('deadSocketTimer');
    this.clearTimer('ackTimer');
  }

  dispose(): void {
    this.detach();
    this.clearTimer('keepAliveTimer');
    this.disposed = true;
    this.unacked = [];
    this.controlListeners.clear();
    this.heldControls = [];
  }

  send(data: Uint8Array): void {
    if (this.disposed) return;
    this.outgoingId++;
    this.incomingAckId = this.incomingId;
    const entry: Unacked = { message: protocolMessage(MessageType.Regular, this.outgoingId, this.incomingAckId, data), writtenAt: 0 };
    this.unacked.push(entry);
    if (this.reconnecting) return;
    this.writeRegular(entry);
    this.recvAckCheck();
  }

  /** Handshake messages: outside the ack flow, written even while a reconnection is being accepted. */
  sendControl(message: ProtocolMessage): void {
    this.writer?.write(message);
  }

  sendPause(): void {
    this.writer?.write(protocolMessage(MessageType.Pause));
  }

  sendResume(): void {
    this.writer?.write(protocolMessage(MessageType.Resume));
  }

  sendDisconnect(): void {
    this.writer?.write(protocolMessage(MessageType.Disconnect));
    this.writer?.flush();
  }

  /** Any bytes arriving count as life (VS Code's lastReadTime is per socket read, not per message). */
  noteBytesReceived(): void {
    this.lastReadTime = this.clock.now();
  }

  acceptMessage(message: ProtocolMessage): void {
    if (this.disposed) return;
    this.lastReadTime = this.clock.now();
    if (message.ack > this.outgoingAckId) {
      this.outgoingAckId = message.ack;
      while (this.unacked[0] && this.unacked[0].message.id <= message.ack) this.unacked.shift();
    }
    switch (message.type) {
      case MessageType.Regular:
        this.acceptRegular(message);
        break;
      case MessageType.Control:
        this.acceptControl(message.data);
        break;
      case MessageType.ReplayRequest:
        for (const entry of this.unacked) this.writeRegular(entry);
        this.recvAckCheck();
        break;
      case MessageType.Pause:
        this.writer?.pause();
        break;
      case MessageType.Resume:
        this.writer?.resume();
        break;
      case MessageType.Disconnect:
        this.events.onDisconnect?.();
        break;
      default:
        // Ack and KeepAlive only carry the ack field, handled above; 0, 4 and unknown types are ignored.
        break;
    }
  }

  private useSocket(writer: FrameWriter): void {
    if (this.disposed) return;
    this.writer?.dispose();
    this.writer = writer;
    const now = this.clock.now();
    this.lastReadTime = now;
    this.lastSocketTimeoutTime = now;
    // ipc.net.ts: one keepalive interval per protocol, from its creation, whatever socket it has.
    if (this.keepAliveTimer === undefined) this.startKeepAlive();
  }

  private acceptControl(data: Uint8Array): void {
    if (this.controlListeners.size === 0) this.heldControls.push(data);
    for (const listener of [...this.controlListeners]) listener(data);
  }

  private writeRegular(entry: Unacked): void {
    entry.writtenAt = this.clock.now();
    this.writer?.write(entry.message);
  }

  private acceptRegular(message: ProtocolMessage): void {
    if (message.id <= this.incomingId) return; // a replayed duplicate
    if (message.id !== this.incomingId + 1) {
      // A gap: ask for a replay, at most once per ReplayRequestTime (ipc.net.ts).
      const now = this.clock.now();
      if (now - this.lastReplayRequestTime > this.timings.replayRequestMs) {
        this.lastReplayRequestTime = now;
        this.writer?.write(protocolMessage(MessageType.ReplayRequest));
      }
      return;
    }
    this.incomingId = message.id;
    this.incomingLastTime = this.clock.now();
    this.scheduleAck();
    this.events.onMessage(message.data);
  }

  /** An Ack goes out AcknowledgeTime after the last incoming Regular, unless something carried it. */
  private scheduleAck(): void {
    if (this.incomingId <= this.incomingAckId || this.ackTimer !== undefined || !this.writer) return;
    const wait = Math.max(0, this.timings.ackMs - (this.clock.now() - this.incomingLastTime));
    this.ackTimer = this.clock.setTimeout(() => {
      this.ackTimer = undefined;
      if (this.clock.now() - this.incomingLastTime < this.timings.ackMs) {
        this.scheduleAck();
        return;
      }
      if (this.incomingId <= this.incomingAckId) return;
      this.incomingAckId = this.incomingId;
      this.writer?.write(protocolMessage(MessageType.Ack, 0, this.incomingAckId));
    }, wait);
  }

  private startKeepAlive(): void {
    const tick = (): void => {
      this.incomingAckId = this.incomingId;
      this.writer?.write(protocolMessage(MessageType.KeepAlive, 0, this.incomingAckId));
      this.keepAliveTimer = this.clock.setTimeout(tick, this.timings.keepAliveMs);
    };
    this.keepAliveTimer = this.clock.setTimeout(tick, this.timings.keepAliveMs);
  }

  /**
   * ipc.net.ts PersistentProtocol._recvAckCheck: the socket is dead only when a Regular went out
   * TimeoutTime ago and is still un-acked, nothing at all arrived for TimeoutTime, and the last
   * timeout is TimeoutTime old. A quiet session with nothing un-acked is never declared dead, and
   * nothing is judged while a reconnection is being accepted.
   */
  private recvAckCheck(): void {
    const oldest = this.unacked[0];
    if (!oldest || this.deadSocketTimer !== undefined || this.reconnecting || !this.detectDeadSocket || !this.writer) return;
    const now = this.clock.now();
    const limit = this.timings.timeoutMs;
    const sinceWritten = now - oldest.writtenAt;
    const sinceRead = now - this.lastReadTime;
    const sinceTimeout = now - this.lastSocketTimeoutTime;
    if (sinceWritten >= limit && sinceRead >= limit && sinceTimeout >= limit) {
      this.lastSocketTimeoutTime = now;
      this.events.onSocketTimeout?.();
      return;
    }
    const wait = Math.max(limit - sinceWritten, limit - sinceRead, limit - sinceTimeout, this.timings.deadSocketRecheckMs);
    const due = now + wait;
    this.deadSocketTimer = this.clock.setTimeout(() => {
      this.deadSocketTimer = undefined;
      // VS Code skips the timeout while its load estimator reports a busy event loop: a timer that
      // fired this late means reads may be waiting behind it, so judge again once they had their turn.
      if (this.clock.now() - due > limit / 10) {
        this.deadSocketTimer = this.clock.setTimeout(() => {
          this.deadSocketTimer = undefined;
          this.recvAckCheck();
        }, 0);
        return;
      }
      this.recvAckCheck();
    }, wait);
  }

  private clearTimer(name: 'ackTimer' | 'keepAliveTimer' | 'deadSocketTimer'): void {
    const handle = this[name];
    if (handle !== undefined) this.clock.clearTimeout(handle);
    this[name] = undefined;
  }
}
