// Every wait of the workbench client, VS Code's values in ms. A caller may override any of them,
// still in VS Code's units; the client multiplies all of them by its timeScale.
import { protocolTimings, type ProtocolTimings } from './clock.ts';

export interface ClientTimings {
  /**
   * remoteAgentConnection.ts connectToRemoteExtensionHostAgent → readOneControlMessage: the
   * server's first answer (`sign`) must arrive within 10 s of sending `auth`. A socket that closes
   * meanwhile does not end the wait: only this deadline does.
   */
  handshakeTimeoutMs: number;
  /** RECONNECT_TIMEOUT: one reconnection attempt (socket, `sign`, answer) gets 30 s in all. */
  reconnectAttemptTimeoutMs: number;
  /**
   * The initial connection runs under CancellationToken.None: opening the socket and waiting for
   * the answer to `connectionType` have no deadline of their own (undefined). A number sets one.
   */
  initialAnswerTimeoutMs: number | undefined;
  /** _runReconnectingLoop's TIMES (0, 5, 5, 10, 10, 10, 10, 10, 30 s): the wait before each attempt; the last repeats. */
  reconnectDelaysMs: readonly number[];
  /** The loop gives up once an attempt fails this long after it started (ProtocolConstants.ReconnectionGraceTime, 3 h). */
  reconnectionGraceMs: number;
}

export const VSCODE_CLIENT_TIMINGS: ClientTimings = {
  handshakeTimeoutMs: 10_000,
  reconnectAttemptTimeoutMs: 30_000,
  initialAnswerTimeoutMs: undefined,
  reconnectDelaysMs: [0, 5, 5, 10, 10, 10, 10, 10, 30].map((s) => s * 1000),
  reconnectionGraceMs: 3 * 60 * 60 * 1000,
};

export type ScaledClientTimings = ClientTimings & { protocol: ProtocolTimings };

export function clientTimings(timeScale: number, overrides: Partial<ClientTimings> = {}): ScaledClientTimings {
  const t = { ...VSCODE_CLIENT_TIMINGS, ...overrides };
  return {
    handshakeTimeoutMs: t.handshakeTimeoutMs * timeScale,
    reconnectAttemptTimeoutMs: t.reconnectAttemptTimeoutMs * timeScale,
    initialAnswerTimeoutMs: t.initialAnswerTimeoutMs === undefined ? undefined : t.initialAnswerTimeoutMs * timeScale,
    reconnectDelaysMs: t.reconnectDelaysMs.map((ms) => ms * timeScale),
    reconnectionGraceMs: t.reconnectionGraceMs * timeScale,
    protocol: protocolTimings(timeScale),
  };
}

/** The wait before reconnection attempt `attempt` (1-based): TIMES[attempt - 1], then the last one forever. */
export function reconnectDelay(timings: ClientTimings, attempt: number): number {
  const delays = timings.reconnectDelaysMs;
  return delays[Math.min(attempt, delays.length) - 1] ?? 0;
}
