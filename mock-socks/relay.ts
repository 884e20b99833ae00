// The relay: two copy loops, as tailscaled's. The session ends as soon as either direction ends —
// a client half-close or the target's close tears both sockets down at once (no half-close).
// Relay faults sit in a direction's loop as stages; the list is re-read for every chunk, so
// faults set or cleared while the session is live take effect on the next chunk.
import type { Socket } from 'node:net';
import { joinHostPort } from './codec.ts';
import type { Connection } from './connection.ts';
import type { RelayStage } from './faults/fault.ts';
import type { ResolvedFault } from './faults/registry.ts';
import type { Direction } from './types.ts';

/** Past this many bytes queued in one direction, its source is paused (TCP pushes back on the sender). */
const HIGH_WATER_BYTES = 256 * 1024;

type SourceItem = { data: Buffer; at: number } | { end: true };

/** A socket's chunks as a queue with arrival times (latency faults subtract time already spent queued). */
class ChunkSource {
  private readonly items: { data: Buffer; at: number }[] = [];
  private queued = 0;
  private ended = false;
  private waiter: ((item: SourceItem) => void) | undefined;

  constructor(private readonly socket: Socket, first: Buffer) {
    if (first.length > 0) {
      this.items.push({ data: first, at: Date.now() });
      this.queued = first.length;
    }
    socket.on('data', (data: Buffer) => {
      this.items.push({ data, at: Date.now() });
      this.queued += data.length;
      if (this.queued > HIGH_WATER_BYTES) socket.pause();
      this.settle();
    });
    const end = () => {
      this.ended = true;
      this.settle();
    };
    socket.on('end', end);
    socket.on('close', end);
    // The client may have half-closed during the handshake: its 'end' has already been emitted.
    if (socket.readableEnded || socket.destroyed) this.ended = true;
    socket.resume();
  }

  next(): Promise<SourceItem> {
    return new Promise((resolve) => {
      this.waiter = resolve;
      this.settle();
    });
  }

  private settle(): void {
    const waiter = this.waiter;
    if (!waiter) return;
    const item = this.items.shift();
    if (item) {
      this.waiter = undefined;
      this.queued -= item.data.length;
      if (this.queued <= HIGH_WATER_BYTES) this.socket.resume();
      waiter(item);
    } else if (this.ended) {
      this.waiter = undefined;
      waiter({ end: true });
    }
  }
}

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

export function runRelay(conn: Connection, target: Socket, pipelined: Buffer): Promise<void> {
  const client = conn.socket;
  const stages: Record<Direction, Map<ResolvedFault, RelayStage>> = { upstream: new Map(), downstream: new Map() };
  let finished = false;

  const stagesFor = (direction: Direction): RelayStage[] => {
    const live = new Set<ResolvedFault>();
    for (const { resolved, random } of conn.applicableFaults()) {
      live.add(resolved);
      if (stages[direction].has(resolved) || !resolved.fault.relay) continue;
      const stage = resolved.fault.relay(direction, conn.faultContext(random));
      if (!stage) continue;
      stages[direction].set(resolved, stage);
      stage.start?.();
    }
    for (const [resolved, stage] of stages[direction]) {
      if (live.has(resolved)) continue;
      stage.stop?.();
      stages[direction].delete(resolved);
    }
    return [...stages[direction].values()];
  };
  const refresh = () => {
    if (finished) return;
    stagesFor('upstream');
    stagesFor('downstream');
  };
  const unsubscribe = conn.deps.faults.onChange(refresh);
  refresh();

  return new Promise((resolve) => {
    const finish = (direction: Direction, error?: string) => {
      if (finished) return;
      finished = true;
      unsubscribe();
      for (const map of Object.values(stages)) for (const stage of map.values()) stage.stop?.();
      // Only the first loop to end counts; tailscaled logs its error, if it was not a plain EOF.
      if (error) conn.logFailure(`${direction === 'upstream' ? 'from client to backend' : 'from backend to client'}: ${error}`);
      closeSocket(target);
      conn.close();
      resolve();
    };
    const onError = (socket: Socket, readDirection: Direction, writeDirection: Direction) => {
      const between = endpoints(socket);
      return (error: NodeJS.ErrnoException) => finish(error.syscall === 'write' ? writeDirection : readDirection, goSocketError(between, error));
    };
    target.on('error', onError(target, 'downstream', 'upstream'));
    client.on('error', onError(client, 'upstream', 'downstream'));
    target.setNoDelay(true);

    const pump = async (direction: Direction, source: ChunkSource, sink: Socket) => {
      const write = async (bytes: Buffer): Promise<void> => {
        if (finished || sink.destroyed) return;
        if (direction === 'upstream') conn.bytesUp += bytes.length;
        else {
          conn.bytesDown += bytes.length;
          conn.transcriptLines?.push('< ' + bytes.toString('hex'));
        }
        if (sink.write(bytes)) return;
        await new Promise<void>((resume) => {
          const done = () => {
            sink.off('drain', done);
            sink.off('close', done);
            resume();
          };
          sink.on('drain', done);
          sink.on('close', done);
        });
      };
      const pass = async (list: RelayStage[], index: number, data: Buffer, at: number): Promise<'continue' | 'close'> => {
        const stage = list[index];
        if (!stage) {
          await write(data);
          return 'continue';
        }
        let verdict: 'continue' | 'close' = 'continue';
        const inner = await stage.chunk(data, at, async (bytes) => {
          if ((await pass(list, index + 1, bytes, at)) === 'close') verdict = 'close';
        });
        return inner === 'close' ? 'close' : verdict;
      };
      for (;;) {
        const item = await source.next();
        if (finished) return;
        if ('end' in item) {
          for (const stage of stagesFor(direction)) await stage.end?.();
          return finish(direction);
        }
        const list = stagesFor(direction);
        if (list.length === 0) await write(item.data);
        else if ((await pass(list, 0, item.data, item.at)) === 'close') return finish(direction);
      }
    };
    // A stage that throws is a bug in a fault, not a reason to leave the sockets open.
    pump('upstream', new ChunkSource(client, pipelined), target).catch(() => finish('upstream'));
    pump('downstream', new ChunkSource(target, Buffer.alloc(0)), client).catch(() => finish('downstream'));
  });
}
