// Every protocol timer goes through a Clock so tests drive time (fake timers or a manual clock)
// instead of sleeping, and through timeScale so 2 s / 5 s / 20 s become milliseconds.
export type TimerHandle = ReturnType<typeof globalThis.setTimeout>;

export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** Reads the globals at call time, so vitest's fake timers take effect after import. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle),
};

/** ipc.net.ts ProtocolConstants and the server's timers, in ms, before scaling. */
export const ProtocolConstants = {
  AcknowledgeTimeMs: 2_000,
  TimeoutTimeMs: 20_000,
  /** ipc.net.ts PersistentProtocol._receiveMessage: at most one ReplayRequest per 10 s. */
  ReplayRequestTimeMs: 10_000,
  /** ipc.net.ts PersistentProtocol._recvAckCheck: the dead-socket check never re-runs sooner. */
  DeadSocketRecheckMs: 500,
  KeepAliveSendTimeMs: 5_000,
  ReconnectionGraceTimeMs: 3 * 60 * 60 * 1000,
  ReconnectionShortGraceTimeMs: 5 * 60 * 1000,
  ExtensionHostReadyDelayMs: 1_500,
} as const;

export interface ProtocolTimings {
  ackMs: number;
  timeoutMs: number;
  replayRequestMs: number;
  deadSocketRecheckMs: number;
  keepAliveMs: number;
}

export function protocolTimings(timeScale = 1): ProtocolTimings {
  return {
    ackMs: ProtocolConstants.AcknowledgeTimeMs * timeScale,
    timeoutMs: ProtocolConstants.TimeoutTimeMs * timeScale,
    replayRequestMs: ProtocolConstants.ReplayRequestTimeMs * timeScale,
    deadSocketRecheckMs: ProtocolConstants.DeadSocketRecheckMs * timeScale,
    keepAliveMs: ProtocolConstants.KeepAliveSendTimeMs * timeScale,
  };
}
