// What the workbench does with a failed reconnection attempt, in the order of the catch block of
// remoteAgentConnection.ts PersistentConnection._runReconnectingLoop — and the window-wide
// permanent failure (PersistentConnection.triggerPermanentFailure).
import { ProtocolError } from './errors.ts';

export type Verdict = 'retry' | 'permanent';

/**
 * 1. VSCODE_CONNECTION_ERROR (an `error` control message, "Unexpected handshake message") → permanent.
 * 2. The grace time is spent (the attempt failed that long after the loop started) → permanent.
 * 3. RemoteAuthorityResolverError TemporarilyNotAvailable — the browser socket factory's error for
 *    a socket that closed before opening (a refused upgrade, 1006) → retry.
 * 4. ETIMEDOUT from `connect` — "Time limit reached", the handshake or attempt deadline → retry.
 * 5. A cancellation → retry (the owner closing the connection ends the loop before this matters).
 * 6. Anything else is "an unknown error … treated as a permanent error".
 */
export function reconnectVerdict(error: unknown, sinceLoopStartMs: number, graceMs: number): Verdict {
  const code = error instanceof ProtocolError ? error.code : undefined;
  if (code === 'handshake.rejected' || code === 'handshake.unexpected') return 'permanent';
  if (sinceLoopStartMs >= graceMs) return 'permanent';
  if (code === 'socket.closed' || code === 'handshake.timeout' || code === 'connection.disposed') return 'retry';
  return 'permanent';
}

export function describeFailure(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export interface FailsPermanently {
  failPermanently(error: ProtocolError): void;
}

/**
 * PersistentConnection's static permanent-failure state, for one workbench (one window): once
 * triggered, every connection registered with it — and every one registered later — fails.
 */
export class PermanentFailures {
  private readonly connections: FailsPermanently[] = [];
  private failure: ProtocolError | undefined;

  register(connection: FailsPermanently): void {
    this.connections.push(connection);
    if (this.failure) connection.failPermanently(this.failure);
  }

  trigger(error: ProtocolError): void {
    this.failure ??= error;
    for (const connection of this.connections) connection.failPermanently(error);
  }
}
