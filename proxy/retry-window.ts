// Rides out a short outage of the hops behind the proxy. An attempt that failed for a reason that
// can pass by itself — the peer down or refusing, tailscaled not logged in yet, a SOCKS server that
// restarts, code-server answering 5xx while it starts — is made again after a short pause, until
// one succeeds or the window is spent; then the last failure is the cause, with the attempts in
// its detail. A failure that will not pass (a 403, bad credentials, an invalid reply) ends it at
// once. The caller's signal (a browser that left, shutdown) stops it between two attempts, and the
// attempt in progress is handed the same signal.
import { ProxyError } from './errors.ts';

export interface RetryWindow {
  /** Attempts may start this long after the first, ms; each gets only what is left of it. 0 = one attempt. */
  windowMs: number;
  /** The longest pause between two attempts, ms; the first pauses are an eighth, a quarter, a half of it. */
  intervalMs: number;
}

/** What one attempt is given: its number (1-based), the ms left of the window, and the caller's signal. */
export interface AttemptBudget {
  attempt: number;
  /** Undefined with no window (0): the attempt keeps its own deadlines. */
  remainingMs: number | undefined;
  signal: AbortSignal;
}

/** The caller's signal ended the window: nobody is waiting for the answer any more. */
export class RetryAbortedError extends ProxyError {
  constructor() {
    super('proxy.aborted', 'the caller left before the upstream was reached');
  }
}

/**
 * Runs `attempt` until it resolves, fails with a cause that cannot pass, or the window is spent.
 * Every timer it arms is cleared when it settles; nothing of an attempt is kept after it.
 */
export async function withinRetryWindow<T>(window: RetryWindow, signal: AbortSignal, attempt: (budget: AttemptBudget) => Promise<T>): Promise<T> {
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  let reported: ProxyError | undefined;
  for (let number = 1; ; number++) {
    if (signal.aborted) throw new RetryAbortedError();
    const remainingMs = window.windowMs > 0 ? Math.max(1, Math.round(window.windowMs - elapsed())) : undefined;
    const attemptStarted = performance.now();
    let failure: ProxyError;
    try {
      return await attempt({ attempt: number, remainingMs, signal });
    } catch (error) {
      if (signal.aborted) throw new RetryAbortedError();
      if (!(error instanceof ProxyError)) throw error;
      failure = error;
    }
    // An attempt the window's end cut short says only that the window ended: the attempt before it,
    // which failed on its own, tells what is wrong.
    const cut = remainingMs !== undefined && failure.code.includes('.timeout.') && performance.now() - attemptStarted >= remainingMs - 2;
    if (!cut || !reported) reported = failure;
    const pause = pauseBefore(number + 1, window.intervalMs);
    if (!canPass(failure) || elapsed() + pause >= window.windowMs) throw number === 1 ? reported : afterAttempts(reported, number, elapsed());
    await sleep(pause, signal);
  }
}

/** The pause before attempt `number` (≥ 2): interval/8, /4, /2, then the interval. */
export function pauseBefore(number: number, intervalMs: number): number {
  return Math.max(1, Math.round(intervalMs / 2 ** Math.max(0, 5 - number)));
}

/**
 * Causes that can go away by themselves within seconds. Everything a tailnet outage, a restarting
 * tailscaled or a restarting code-server produces is here; what a retry would only repeat (the
 * upstream's 4xx, SOCKS credentials refused, an ACL's `not allowed`, a reply that is not SOCKS or
 * not valid, an upgrade answered wrongly) is not.
 */
export function canPass(cause: ProxyError): boolean {
  const code = cause.code;
  if (code === 'upstream.upgrade_refused') return /\(HTTP 5\d\d\)/.test(cause.detail);
  return (
    code === 'socks.connect_refused' ||
    code === 'socks.connect_failed' ||
    code.startsWith('socks.timeout.') ||
    code.startsWith('socks.closed.') ||
    code.startsWith('socks.reset.') ||
    code === 'socks.reply_truncated' ||
    code === 'socks.handshake_failed' ||
    transientReplies.has(code) ||
    code === 'upstream.closed_before_upgrade' ||
    code === 'upstream.reset' ||
    code === 'upstream.timeout.upgrade'
  );
}

/** RFC 1928 replies tailscaled gives for a peer that is down, refusing or not yet reachable. */
const transientReplies = new Set(['socks.reply_general_failure', 'socks.reply_network_unreachable', 'socks.reply_host_unreachable', 'socks.reply_connection_refused', 'socks.reply_ttl_expired']);

/** The last failure, its detail ending with the attempts the window saw: `socks.reply_general_failure (REP 0x01) (12 attempts in 7003 ms)`. */
function afterAttempts(last: ProxyError, attempts: number, ms: number): ProxyError {
  const tally = `(${attempts} attempts in ${Math.round(ms)} ms)`;
  return new ProxyError(last.code, last.detail ? `${last.detail} ${tally}` : tally, { cause: last });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', aborted);
      resolve();
    };
    const aborted = () => {
      clearTimeout(timer);
      reject(new RetryAbortedError());
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', aborted, { once: true });
  });
}
