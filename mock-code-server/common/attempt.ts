// One connection attempt's waits under a shared deadline, as remoteAgentConnection.ts runs them:
// PromiseWithTimeout over a CancellationToken (RECONNECT_TIMEOUT for a reconnection, none for the
// initial connection), combined with a shorter limit for a single step (the 10 s for `sign`).
import type { Clock, TimerHandle } from './clock.ts';
import { ProtocolError } from './errors.ts';

/** PromiseWithTimeout._createTimeoutError: `Time limit reached`, code ETIMEDOUT, syscall connect. */
export function timeLimitReached(): ProtocolError {
  return new ProtocolError('handshake.timeout', 'Time limit reached');
}

/**
 * Starts the work; calls resolve or reject once. Returns the clean-up, run once the wait is over:
 * `abandoned` is true when the deadline or a cancel ended it before the work did.
 */
export type WaitStart<T> = (resolve: (value: T) => void, reject: (error: Error) => void) => (abandoned: boolean) => void;

export class AttemptScope {
  private readonly stops = new Set<(error: Error) => void>();
  private cancelledWith: Error | undefined;

  constructor(
    private readonly clock: Clock,
    /** Absolute time (clock.now()) at which every wait of the attempt ends; undefined: never. */
    private readonly deadlineAt: number | undefined,
  ) {}

  /** Resolves with what `start` delivers; rejects at the attempt's deadline or after `limitMs`, whichever is first. */
  wait<T>(start: WaitStart<T>, limitMs?: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.cancelledWith) return reject(this.cancelledWith);
      const now = this.clock.now();
      const ends = [this.deadlineAt, limitMs === undefined ? undefined : now + limitMs].filter((at): at is number => at !== undefined);
      let settled = false;
      let timer: TimerHandle | undefined;
      let cleanUp: ((abandoned: boolean) => void) | undefined;
      let abandonedWork: boolean | undefined;
      const settle = (abandoned: boolean, finish: () => void): void => {
        if (settled) return;
        settled = true;
        abandonedWork = abandoned;
        if (timer !== undefined) this.clock.clearTimeout(timer);
        this.stops.delete(abort);
        cleanUp?.(abandoned);
        finish();
      };
      const abort = (error: Error): void => settle(true, () => reject(error));
      this.stops.add(abort);
      if (ends.length > 0) timer = this.clock.setTimeout(() => abort(timeLimitReached()), Math.max(0, Math.min(...ends) - now));
      const stop = start(
        (value) => settle(false, () => resolve(value)),
        (error) => settle(false, () => reject(error)),
      );
      // The work may have finished inside start(), before its clean-up existed.
      if (abandonedWork === undefined) cleanUp = stop;
      else stop(abandonedWork);
    });
  }

  /** Ends every wait now with `error` (the connection was closed by its owner). */
  cancel(error: Error): void {
    this.cancelledWith = error;
    for (const stop of [...this.stops]) stop(error);
  }
}
