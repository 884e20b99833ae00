// Every deadline of the real path, scaled from seconds to milliseconds so that no scenario waits
// real seconds. The order between them is what matters, and is kept from the real values:
// tailscaled's dial budget < the proxy's CONNECT-reply deadline (so `05 01` arrives first),
// every proxy deadline < the front end's open timeout (so a fixed proxy always answers first).

export const timing = {
  /** mock-socks dial budget (tailscaled: 5000 ms). */
  socksDialMs: 300,
  /** Proxy: TCP connect to each SOCKS address (Cloud Run default 2000 ms). */
  socksConnectMs: 500,
  /** Proxy: SOCKS greeting reply (2000 ms). */
  socksGreetingMs: 500,
  /** Proxy: SOCKS CONNECT reply (8000 ms). */
  socksConnectReplyMs: 800,
  /** Proxy: upstream's 101 (10000 ms). */
  upgradeMs: 800,
  /** Proxy: upstream's HTTP response headers (30000 ms). */
  responseMs: 3000,
  /**
   * Proxy: how long a WebSocket's tunnel and upgrade are tried again while the browser waits
   * (7000 ms, below the client's 10 s handshake wait: here 700 against 1000).
   */
  wsRetryWindowMs: 700,
  /**
   * Proxy: how long a WebSocket's upgrade is held unanswered while its tunnel and upgrade are tried
   * (10000 ms), before the window above. Below the front end's open timeout, as in production (10 s
   * against 15 s), and below the client's reconnection limit less its handshake wait (3 s − 1 s).
   */
  wsUpgradeHoldMs: 1000,
  /**
   * Proxy: how long a workbench WebSocket whose upstream ended is kept open while the upstream is
   * tried again (300000 ms), longer than an outage row's 10 s; and the KeepAlive it sends meanwhile
   * (5000 ms, VS Code's own interval), below the client's 2 s dead-socket check here (20 s real).
   */
  wsRideOutMs: 30_000,
  wsRideOutKeepAliveMs: 500,
  /** Proxy: the same for an HTTP request safe to repeat (3000 ms). */
  httpRetryWindowMs: 300,
  /** Proxy: the longest pause between two attempts of a retry window (500 ms). */
  retryIntervalMs: 50,
  /**
   * The hop in front of the proxy gives up on an upgrade nobody answers, and drops the browser's
   * socket: python websockets' open_timeout (10 s) in the seed notes, a 1006 in the browser.
   */
  openTimeoutMs: 1500,
  /**
   * mock-code-server timers (ack 2 s, keepalive 5 s…) and the workbench client's (handshake wait
   * 10 s, reconnect schedule 0, 5, 5, 10… s). 0.1 keeps the client's handshake wait (1 s) above
   * every proxy deadline, as in production (10 s against 2 s): with less, the client gives up
   * first and closes the socket itself (1005), hiding the proxy's close frame.
   */
  codeServerTimeScale: 0.1,
  /**
   * The workbench client's wait for its first control message (VS Code's 10 s), at the time
   * scale above; an outage row keeps the peer away 10 times that.
   */
  handshakeWaitMs: 1000,
  /**
   * How long the page waits for a probe to settle before it reports what it saw. A workbench
   * spends its handshake wait (1 s scaled) on every 1014 before it retries, as the real one does:
   * behind a proxy without a retry window, `tailnet-not-ready` connects only after two of them.
   */
  probeDeadlineMs: 6000,
  /**
   * The hops in front of the proxy, in their real order: the proxy's ping (WS_PING_INTERVAL_MS,
   * 25 s) < a hop's idle timeout (nginx, ALB: 60 s) < a background tab's timer wake-ups (a minute)
   * < the quiet period a row watches. The workbench's own KeepAlive (5 s × 0.1) stays under the
   * idle timeout, as in production.
   */
  pingIntervalMs: 300,
  idleTimeoutMs: 1000,
  throttleWindowMs: 2500,
  quietMs: 3000,
  /** Cloud Run's request queue when every instance is at its maximum concurrency (10 s). */
  requestQueueMs: 1000,
} as const;

/**
 * The same path in real time, for a real code-server (its timers cannot be scaled): the proxy keeps
 * its production deadlines, tailscaled its 5 s dial budget, the client VS Code's own timers.
 */
export const realTime = {
  socksDialMs: 5000,
  openTimeoutMs: 15_000,
  codeServerTimeScale: 1,
  handshakeWaitMs: 10_000,
  probeDeadlineMs: 60_000,
} as const;

/**
 * The catalog's "± 10 %" for a deadline, plus 150 ms on the late side: the SOCKS TCP connect
 * before the deadline starts, and timers on a loaded 2-core machine running Chromium.
 */
export function deadlineWindow(ms: number): { closeAfterMs: number; closeWithinMs: number } {
  return { closeAfterMs: Math.floor(ms * 0.9), closeWithinMs: Math.ceil(ms * 1.1) + 150 };
}

/**
 * A step deadline that a retry window may try again: the close comes no sooner than the deadline
 * (a proxy that does not retry closes there) and no later than the hold and the window's end, each ± 10 %.
 */
export function retriedDeadlineWindow(ms: number): { closeAfterMs: number; closeWithinMs: number } {
  return { closeAfterMs: deadlineWindow(ms).closeAfterMs, closeWithinMs: deadlineWindow(Math.max(ms, timing.wsUpgradeHoldMs + timing.wsRetryWindowMs)).closeWithinMs };
}
