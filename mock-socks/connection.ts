// One client connection: its socket, exact-length reader, phase, counters, transcript and the
// faults that apply to it. The protocol steps themselves are in connection-protocol.ts.
import type { Socket } from 'node:net';
import { SocketReader } from './reader.ts';
import { sleep } from './wait.ts';
import type { SocksLogger } from './log.ts';
import type { FaultSet, SelectionSubject } from './faults/selection.ts';
import type { FaultContext, NodeActivity, ReplyPlan, Verdict } from './faults/fault.ts';
import type { ResolvedFault } from './faults/registry.ts';
import type { ConnectionInfo, ConnectionRecord, Phase } from './types.ts';
import { joinHostPort } from '../common/host-port.ts';

/** One shared abort reason: abort() without one builds a DOMException with a stack trace per connection. */
const CONNECTION_CLOSED = Object.freeze({ code: 'connection.closed' });

export interface ConnectionDeps {
  faults: FaultSet;
  node: NodeActivity;
  logger: SocksLogger;
  transcript: boolean;
  emit(record: ConnectionRecord): void;
}

export class Connection implements SelectionSubject {
  readonly reader: SocketReader;
  readonly remote: string;
  readonly controller = new AbortController();
  /** Ends every fault wait: aborted when the client closes or half-closes. A client that is gone
   * must not hold the server for the rest of a delay; data a relay fault still holds is then
   * dropped, as a response in flight is when tailscaled's relay ends. */
  private readonly waits = new AbortController();
  readonly decisions = new Map<ResolvedFault, { applies: boolean; random: () => number }>();
  readonly transcriptLines: string[] | undefined;
  phase = 'greeting';
  destination: string | undefined;
  destinationAliases: string[] = [];
  bytesUp = 0;
  bytesDown = 0;
  replyCode: number | undefined;
  dialled: string | undefined;
  error: string | undefined;
  /** The outgoing socket(s) to close with this connection. */
  private readonly companions = new Set<{ destroy(): void }>();
  readonly closed: Promise<void>;

  constructor(readonly id: number, readonly socket: Socket, readonly deps: ConnectionDeps) {
    this.remote = joinHostPort(socket.remoteAddress ?? '?', socket.remotePort ?? 0);
    this.reader = new SocketReader(socket);
    this.transcriptLines = deps.transcript ? [] : undefined;
    if (this.transcriptLines) {
      const lines = this.transcriptLines;
      socket.on('data', (chunk: Buffer) => lines.push('> ' + chunk.toString('hex')));
    }
    // A client that vanishes mid-write must never crash the server.
    socket.on('error', () => {});
    socket.once('end', () => this.waits.abort(CONNECTION_CLOSED));
    this.closed = new Promise((resolve) => socket.once('close', () => {
      this.waits.abort(CONNECTION_CLOSED);
      this.controller.abort(CONNECTION_CLOSED);
      for (const c of this.companions) c.destroy();
      this.phase = 'closed';
      this.deps.emit(this.record('close'));
      resolve();
    }));
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  info(): ConnectionInfo {
    return { id: this.id, remote: this.remote, destination: this.destination, phase: this.phase, bytesUp: this.bytesUp, bytesDown: this.bytesDown };
  }

  record(event: 'open' | 'close'): ConnectionRecord {
    return { event, ...this.info(), replyCode: this.replyCode, dialled: this.dialled, error: this.error, transcript: this.transcriptLines?.slice() };
  }

  addCompanion(c: { destroy(): void }): void {
    if (this.signal.aborted) c.destroy();
    else this.companions.add(c);
  }

  setDestination(host: string, port: number, aliases: string[]): void {
    this.destination = joinHostPort(host, port);
    const names = [host, ...aliases].map((n) => n.toLowerCase());
    this.destinationAliases = [...new Set(names.flatMap((n) => [n, joinHostPort(n, port)]))];
  }

  write(bytes: Buffer): void {
    if (this.socket.destroyed || !this.socket.writable) return;
    this.transcriptLines?.push('< ' + bytes.toString('hex'));
    this.socket.write(bytes);
  }

  /** Flushes what was written, then closes: Go's conn.Close() after the last Write. */
  close(): void {
    // Already ending: its end() callback destroys the socket once flushed.
    if (this.socket.destroyed || this.socket.writableEnded) return;
    this.socket.end(() => this.socket.destroy());
    // end() never finishes if the client stops reading; the server must not hold the socket for it.
    if (this.socket.writableLength === 0) this.socket.destroy();
  }

  reset(): void {
    if (this.socket.destroyed) return;
    this.socket.resetAndDestroy();
  }

  logFailure(message: string): void {
    this.error = message;
    this.deps.logger.failure(message);
  }

  faultContext(random: () => number): FaultContext {
    return {
      connectionId: this.id,
      socket: this.socket,
      signal: this.waits.signal,
      random,
      destination: this.destination,
      node: this.deps.node,
      sleep: (ms) => sleep(ms, this.waits.signal),
      write: (bytes) => this.write(bytes),
      discardUntilEnd: () => this.reader.discardUntilEnd(),
      waitForData: async () => (await this.reader.readExact(1)) !== null,
      end: (how) => (how === 'reset' ? this.reset() : this.close()),
    };
  }

  applicableFaults(): { resolved: ResolvedFault; random: () => number }[] {
    return this.deps.faults.applicable(this);
  }

  /** Runs every applicable fault's phase hook, in order; the first 'stop' wins. */
  async atPhase(phase: Phase): Promise<Verdict> {
    for (const { resolved, random } of this.applicableFaults()) {
      if (!resolved.fault.atPhase) continue;
      if ((await resolved.fault.atPhase(phase, this.faultContext(random))) === 'stop' || this.signal.aborted) return 'stop';
    }
    return this.signal.aborted ? 'stop' : 'continue';
  }

  /** Writes one handshake reply: every applicable fault's phase hook first (their waits add up), then
   * each fault reshapes the reply's writes in list order, as Toxiproxy chains its toxics. */
  async reply(phase: Phase, bytes: Buffer): Promise<Verdict> {
    if ((await this.atPhase(phase)) === 'stop') return 'stop';
    let plan: ReplyPlan = { writes: [{ bytes, delayMs: 0 }], close: false };
    for (const { resolved } of this.applicableFaults()) plan = resolved.fault.shapeReply?.(phase, plan) ?? plan;
    for (const { bytes: piece, delayMs } of plan.writes) {
      if (delayMs > 0 && !(await sleep(delayMs, this.waits.signal))) return 'stop';
      this.write(piece);
    }
    if (!plan.close) return this.signal.aborted ? 'stop' : 'continue';
    this.close();
    return 'stop';
  }

  /** A failed step: its reply, the log line (when tailscaled logs one), then close. */
  async fail(phase: Phase, reply: Buffer, message: string | undefined): Promise<void> {
    if ((await this.reply(phase, reply)) === 'stop') return;
    if (message !== undefined) this.logFailure(message);
    this.close();
  }
}
