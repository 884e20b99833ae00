// The relay: two copy loops, as tailscaled's. The session ends as soon as either direction ends —
// a client half-close or the target's close tears both sockets down at once (no half-close).
//
// Each direction is a leg. With no relay fault on it, a chunk is written to the other socket from
// the 'data' handler itself — no queue, promise or closure per chunk, the way io.Copy loops.
// Relay faults sit in a leg as stages; the stage lists are rebuilt only when the fault set changes
// (a fault set or cleared while the session is live takes effect on the next chunk), and while a
// leg has stages, or still holds chunks that went through them, chunks queue and a pump passes
// them down the stages in order.
import type { Socket } from 'node:net';
import { joinHostPort } from '../common/host-port.ts';
import type { Connection } from './connection.ts';
import type { RelayStage } from './faults/fault.ts';
import type { ResolvedFault } from './faults/registry.ts';
import type { Direction } from './types.ts';

/** Past this many bytes queued in one direction, its source is paused (TCP pushes back on the sender). */
const HIGH_WATER_BYTES = 256 * 1024;

/** 'local->remote' as Go's net.OpError prints a connection; taken while the socket still knows. */
function endpoints(socket: Socket): string {
  return `${joinHostPort(socket.localAddress ?? '', socket.localPort ?? 0)}->${joinHostPort(socket.remoteAddress ?? '', socket.remotePort ?? 0)}`;
}

/** Go's net.OpError text for a socket error inside io.Copy. */
function goSocketError(between: string, error: NodeJS.ErrnoException): string {
  const text: Record<string, string> = { ECONNRESET: 'connection reset by peer', EPIPE: 'broken pipe', ETIMEDOUT: 'connection timed out' };
  const op = error.syscall === 'write' ? 'write' : 'read';
  return `${op} tcp ${between}: ${op}: ${text[error.code ?? ''] ?? error.message}`;
}

function closeSocket(socket: Socket): void {
  if (socket.destroyed) return;
  socket.end(() => socket.destroy());
  if (socket.writableLength === 0) socket.destroy();
}

/** One direction of the relay: source → (fault stages) → sink. */
class Leg {
  /** This leg's live stages by fault, in fault-list order; replaced only when the fault set changes. */
  private stagesByFault = new Map<ResolvedFault, RelayStage>();
  private stages: RelayStage[] = [];
  /** Chunks waiting for the stage pump, with their arrival times (latency counts time spent queued). */
  private readonly queue: { data: Buffer; at: number }[] = [];
  private queued = 0;
  private pumping = false;
  private ended = false;
  /** The source is paused until the sink drains (direct writes) — TCP pushes back on the sender. */
  private awaitingDrain = false;

  constructor(
    private readonly relay: Relay,
    readonly direction: Direction,
    private readonly source: Socket,
    private readonly sink: Socket,
  ) {}

  start(first: Buffer): void {
    this.source.on('data', this.onData);
    this.source.on('end', this.onEnd);
    this.source.on('close', this.onEnd);
    this.sink.on('drain', this.onDrain);
    if (first.length > 0) this.onData(first);
    // The client may have half-closed during the handshake: its 'end' has already been emitted.
    if (this.source.readableEnded || this.source.destroyed) this.onEnd();
    this.source.resume();
  }

  /** Rebuilds the stage list from the faults that apply now; a stage that joins starts, one that leaves stops. */
  refresh(applicable: readonly { resolved: ResolvedFault; random: () => number }[]): void {
    const next = new Map<ResolvedFault, RelayStage>();
    for (const { resolved, random } of applicable) {
      let stage = this.stagesByFault.get(resolved);
      if (!stage) {
        stage = resolved.fault.relay?.(this.direction, this.relay.conn.faultContext(random));
        stage?.start?.();
      }
      if (stage) next.set(resolved, stage);
    }
    for (const [resolved, stage] of this.stagesByFault) if (!next.has(resolved)) stage.stop?.();
    this.stagesByFault = next;
    this.stages = [...next.values()];
  }

  stopStages(): void {
    for (const stage of this.stages) stage.stop?.();
  }

  private readonly onData = (data: Buffer): void => {
    if (this.relay.finished) return;
    if (this.stages.length === 0 && !this.pumping) {
      // The steady state with no fault: straight to the sink, from this handler.
      this.count(data);
      this.sink.write(data);
      // Pausing at the sink's own high-water mark (16 KiB) would stop and restart reading for every
      // large chunk; the same slack as the stage queue's keeps bulk transfers streaming.
      if (this.sink.writableLength > HIGH_WATER_BYTES) {
        this.awaitingDrain = true;
        this.source.pause();
      }
      return;
    }
    this.queue.push({ data, at: Date.now() });
    this.queued += data.length;
    if (this.queued > HIGH_WATER_BYTES) this.source.pause();
    this.pump();
  };

  private readonly onEnd = (): void => {
    if (this.ended) return;
    this.ended = true;
    if (!this.pumping) this.pump();
  };

  private readonly onDrain = (): void => {
    if (!this.awaitingDrain) return;
    this.awaitingDrain = false;
    if (this.queued <= HIGH_WATER_BYTES) this.source.resume();
  };

  private count(data: Buffer): void {
    const conn = this.relay.conn;
    if (this.direction === 'upstream') conn.bytesUp += data.length;
    else {
      conn.bytesDown += data.length;
      conn.transcriptLines?.push('< ' + data.toString('hex'));
    }
  }

  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    // A stage that throws is a bug in a fault, not a reason to leave the sockets open.
    this.drainQueue().then(
      () => {
        this.pumping = false;
      },
      () => this.relay.finish(this.direction),
    );
  }

  /** Passes queued chunks down the stages in order; then, once the source has ended, lets the stages end. */
  private async drainQueue(): Promise<void> {
    for (let item = this.queue.shift(); item; item = this.queue.shift()) {
      this.queued -= item.data.length;
      if (this.queued <= HIGH_WATER_BYTES && !this.awaitingDrain) this.source.resume();
      if (this.relay.finished) return;
      if ((await this.pass(this.stages, 0, item.data, item.at)) === 'close') return this.relay.finish(this.direction);
    }
    if (!this.ended || this.relay.finished) return;
    for (const stage of this.stages) await stage.end?.();
    this.relay.finish(this.direction);
  }

  private async pass(list: readonly RelayStage[], index: number, data: Buffer, at: number): Promise<'continue' | 'close'> {
    const stage = list[index];
    if (!stage) {
      await this.write(data);
      return 'continue';
    }
    let verdict: 'continue' | 'close' = 'continue';
    const inner = await stage.chunk(data, at, async (bytes) => {
      if ((await this.pass(list, index + 1, bytes, at)) === 'close') verdict = 'close';
    });
    return inner === 'close' ? 'close' : verdict;
  }

  /** A staged write: resolves once the sink can take more. */
  private async write(bytes: Buffer): Promise<void> {
    if (this.relay.finished || this.sink.destroyed) return;
    this.count(bytes);
    if (this.sink.write(bytes)) return;
    await new Promise<void>((resume) => {
      const done = () => {
        this.sink.off('drain', done);
        this.sink.off('close', done);
        resume();
      };
      this.sink.on('drain', done);
      this.sink.on('close', done);
    });
  }
}

class Relay {
  finished = false;
  private readonly legs: Leg[];
  private readonly unsubscribe: () => void;

  constructor(readonly conn: Connection, private readonly target: Socket, private readonly resolve: () => void) {
    const client = conn.socket;
    this.legs = [new Leg(this, 'upstream', client, target), new Leg(this, 'downstream', target, client)];
    target.on('error', this.onError(target, 'downstream', 'upstream'));
    client.on('error', this.onError(client, 'upstream', 'downstream'));
    target.setNoDelay(true);
    this.unsubscribe = conn.deps.faults.onChange(() => this.refresh());
  }

  start(pipelined: Buffer): void {
    this.refresh();
    const [upstream, downstream] = this.legs as [Leg, Leg];
    upstream.start(pipelined);
    downstream.start(Buffer.alloc(0));
  }

  private refresh(): void {
    if (this.finished) return;
    const applicable = this.conn.applicableFaults();
    for (const leg of this.legs) leg.refresh(applicable);
  }

  finish(direction: Direction, error?: string): void {
    if (this.finished) return;
    this.finished = true;
    this.unsubscribe();
    for (const leg of this.legs) leg.stopStages();
    // Only the first loop to end counts; tailscaled logs its error, if it was not a plain EOF.
    if (error) this.conn.logFailure(`${direction === 'upstream' ? 'from client to backend' : 'from backend to client'}: ${error}`);
    closeSocket(this.target);
    this.conn.close();
    this.resolve();
  }

  private onError(socket: Socket, readDirection: Direction, writeDirection: Direction): (error: NodeJS.ErrnoException) => void {
    const between = endpoints(socket);
    return (error) => this.finish(error.syscall === 'write' ? writeDirection : readDirection, goSocketError(between, error));
  }
}

export function runRelay(conn: Connection, target: Socket, pipelined: Buffer): Promise<void> {
  return new Promise((resolve) => new Relay(conn, target, resolve).start(pipelined));
}
