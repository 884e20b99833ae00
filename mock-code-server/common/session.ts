// The persistent protocol of one connection (ipc.net.ts PersistentProtocol), independent of any
// socket: Regular ids, acks, keepalives, ReplayRequest, replay of un-acked messages when a new
// socket is attached, and the dead-socket timer. Both the server and the client use it.
import { systemClock, type Clock, type TimerHandle, type ProtocolTimings, protocolTimings } from './clock.ts';
import { MessageType, protocolMessage, type ProtocolMessage } from './framing.ts';
import type { FrameWriter } from './writer.ts';

export interface SessionEvents {
  /** A Regular message's data, each exactly once and in order. */
  onMessage(data: Uint8Array): void;
  onControl?(data: Uint8Array): void;
  /** Nothing received for timeoutMs: the socket is dead (the client reconnects). */
  onSocketTimeout?(): void;
  /** The peer sent Disconnect: a graceful end, no reconnection. */
  onDisconnect?(): void;
}

export interface SessionOptions {
  clock?: Clock;
  timings?: ProtocolTimings;
  /** Run the 20 s dead-socket timer (default true). The mock server leaves it to the client. */
  detectDeadSocket?: boolean;
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
  private unacked: ProtocolMessage[] = [];
  private ackTimer: TimerHandle | undefined;
  private keepAliveTimer: TimerHandle | undefined;
  private deadSocketTimer: TimerHandle | undefined;
  private disposed = false;
  private readonly detectDeadSocket: boolean;

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
   * Starts using a socket. On a reconnection both sides tell the peer what they received (an Ack)
   * and re-send every un-acked Regular with its original id, so nothing in flight is lost.
   */
  attach(writer: FrameWriter, reconnection: boolean): void {
    if (this.disposed) return;
    this.writer?.dispose();
    this.writer = writer;
    this.lastReadTime = this.clock.now();
    this.startKeepAlive();
    this.scheduleDeadSocketCheck();
    if (reconnection) {
      this.incomingAckId = this.incomingId;
      writer.write(protocolMessage(MessageType.Ack, 0, this.incomingAckId));
      for (const message of this.unacked) writer.write(message);
    }
  }

  /** The socket is gone; messages sent from now on wait for the next attach. */
  detach(): void {
    this.writer?.dispose();
    this.writer = undefined;
    this.clearTimer('keepAliveTimer');
    this.clearTimer('deadSocketTimer');
    this.clearTimer('ackTimer');
  }

  dispose(): void {
    this.detach();
    this.disposed = true;
    this.unacked = [];
  }

  send(data: Uint8Array): void {
    if (this.disposed) return;
    this.outgoingId++;
    this.incomingAckId = this.incomingId;
    const message = protocolMessage(MessageType.Regular, this.outgoingId, this.incomingAckId, data);
    this.unacked.push(message);
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
      while (this.unacked[0] && this.unacked[0].id <= message.ack) this.unacked.shift();
    }
    switch (message.type) {
      case MessageType.Regular:
        this.acceptRegular(message);
        break;
      case MessageType.Control:
        this.events.onControl?.(message.data);
        break;
      case MessageType.ReplayRequest:
        for (const unacked of this.unacked) this.writer?.write(unacked);
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
    this.clearTimer('keepAliveTimer');
    const tick = (): void => {
      this.incomingAckId = this.incomingId;
      this.writer?.write(protocolMessage(MessageType.KeepAlive, 0, this.incomingAckId));
      this.keepAliveTimer = this.clock.setTimeout(tick, this.timings.keepAliveMs);
    };
    this.keepAliveTimer = this.clock.setTimeout(tick, this.timings.keepAliveMs);
  }

  private scheduleDeadSocketCheck(delayMs?: number): void {
    this.clearTimer('deadSocketTimer');
    if (!this.detectDeadSocket) return;
    const wait = delayMs ?? Math.max(1, this.timings.timeoutMs - (this.clock.now() - this.lastReadTime));
    const due = this.clock.now() + wait;
    this.deadSocketTimer = this.clock.setTimeout(() => {
      this.deadSocketTimer = undefined;
      if (this.clock.now() - this.lastReadTime < this.timings.timeoutMs) return this.scheduleDeadSocketCheck();
      // Fired late: the event loop was blocked (VS Code skips the timeout under high load), and
      // reads may be waiting behind this timer. Judge again once they had their turn.
      if (this.clock.now() - due > this.timings.timeoutMs / 10) return this.scheduleDeadSocketCheck(0);
      this.events.onSocketTimeout?.();
    }, wait);
  }

  private clearTimer(name: 'ackTimer' | 'keepAliveTimer' | 'deadSocketTimer'): void {
    const handle = this[name];
    if (handle !== undefined) this.clock.clearTimeout(handle);
    this[name] = undefined;
  }
}
