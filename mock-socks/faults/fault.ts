// The one small interface every fault implements (after Toxiproxy's toxics): a fault's settings
// are fixed when it is created from its JSON; anything that changes per connection lives in the
// objects its hooks return or in the context, never in the fault itself.
import type { Socket } from 'node:net';
import type { Direction, Phase } from '../types.ts';

/** When the server last went from no connection open to one: what a platform that allocates CPU
 * only while a request is in flight sees of the node (an open connection stands for a request). */
export interface NodeActivity {
  /** Date.now() when the current stretch with a connection open began. */
  readonly wokeAt: number;
  /** How long no connection was open before that stretch, in ms (since the server started, for the first). */
  readonly idleBeforeMs: number;
}

/** What a hook tells the connection: carry on, or the fault has taken the connection over. */
export type Verdict = 'continue' | 'stop';

export interface FaultContext {
  readonly connectionId: number;
  /** The client's socket. */
  readonly socket: Socket;
  /** Aborted when the client closes or half-closes the connection; every wait a fault makes must stop on it. */
  readonly signal: AbortSignal;
  /** Seeded per (server seed, fault name, connection): the same seed replays the same draws. */
  readonly random: () => number;
  /** The CONNECT destination as the client wrote it ('host:port'), once known. */
  readonly destination: string | undefined;
  /** The whole server's busy and idle stretches (shared by every connection). */
  readonly node: NodeActivity;
  /** Resolves true after ms, false as soon as the client closes or half-closes first. */
  sleep(ms: number): Promise<boolean>;
  /** Writes to the client, recorded in the transcript. */
  write(bytes: Buffer): void;
  /** Reads and throws away client bytes until the client goes away. */
  discardUntilEnd(): Promise<void>;
  /** Resolves true once the client has sent at least one byte (consumed), false if it went away first. */
  waitForData(): Promise<boolean>;
  /** Ends the whole connection: 'close' flushes and closes, 'reset' sends a TCP RST. */
  end(how: 'close' | 'reset'): void;
}

/** One handshake reply as the writes that carry it, each after its wait, and whether the
 * connection closes after the last. Faults reshape it in turn, so their effects compose. */
export interface ReplyPlan {
  writes: readonly { bytes: Buffer; delayMs: number }[];
  close: boolean;
}

/** A replacement for CONNECT's dial. */
export type DialOverride =
  /** Answer with this reply code (the 10-byte error form). */
  | { replyCode: number }
  /** Behave as a dial that never completes: wait out the dial budget, then 05 01 and `context deadline exceeded`. */
  | { unreachable: true };

export interface RelayStage {
  /** Called once when the stage joins a live relay (a fault set mid-session included). */
  start?(): void;
  /** Called when the fault is removed while the relay goes on: cancel timers, let data flow again. */
  stop?(): void;
  /** Passes one chunk on by calling emit (any number of times, or not at all). 'close' ends the session. */
  chunk(data: Buffer, arrivedAt: number, emit: (bytes: Buffer) => Promise<void>): Promise<'continue' | 'close'>;
  /** The source of this direction ended; the session closes once this resolves. */
  end?(): Promise<void>;
}

export interface Fault {
  /** 'accept' right after accept; 'greeting' | 'auth' | 'connect' just before that reply is written; 'relay' as the relay starts. */
  atPhase?(phase: Phase, ctx: FaultContext): Promise<Verdict> | Verdict;
  /** Reshapes one handshake reply's writes; a phase that is not the fault's returns the plan as it came. */
  shapeReply?(phase: Phase, plan: ReplyPlan): ReplyPlan;
  /** Before CONNECT dials; an override replaces the dial. `tailnet` is true when the target is in the tailnet. */
  beforeDial?(ctx: FaultContext, tailnet: boolean): Promise<DialOverride | undefined> | DialOverride | undefined;
  /** A stage for one direction of one connection's relay (holding that connection's state), or undefined. */
  relay?(direction: Direction, ctx: FaultContext): RelayStage | undefined;
}

/** A registered fault type: validates a FaultSpec's attributes and builds the fault. */
export interface FaultType {
  name: string;
  /** Every attribute the fault reads; any other key in a spec is rejected (a typo must not pass silently). */
  attributes: readonly string[];
  /** Throws a FaultConfigError on bad attributes. */
  create(attributes: Record<string, unknown>, where: string | undefined): Fault;
}

export class FaultConfigError extends Error {
  readonly code = 'fault.invalid';
  constructor(message: string) {
    super(message);
  }
}
