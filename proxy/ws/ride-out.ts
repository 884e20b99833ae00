// Rides out an outage of the upstream behind an open workbench connection. When the upstream ends
// mid-session — the tailnet peer gone, code-server restarting — closing the browser at once starts
// VS Code's reconnection loop, whose pauses (0, 5, 5, 10 … 30 s, remoteAgentConnection.ts
// PersistentConnection._runReconnectingLoop) no proxy can shorten: a peer that returns during one
// is seen only at the next attempt, up to 30 s later. So the browser is kept instead: a KeepAlive
// of the protocol's own (./vscode-stream.ts) every keepAliveMs holds off the workbench's dead-socket
// check, while tunnels to the upstream are tried. The first that opens ends the ride, and the
// caller closes the browser then: the loop's first attempt has no pause, so the workbench
// reconnects — its messages unacknowledged meanwhile are replayed by the protocol — within a pause
// of the tries after the peer's return.
//
// A try does not wait for the one before: while the peer is down, tailscaled holds each CONNECT
// for its whole dial budget (5 s) before it answers 05 01, and a try started after the return must
// not queue behind one started before it. So tries start a pause apart (the retry window's pauses,
// ../retry-window.ts), at most `maxTriesInFlight` at once.
import { setMaxListeners } from 'node:events';
import type { Duplex } from 'node:stream';
import { ProxyError } from '../errors.ts';
import { canPass, pauseBefore, type RetryWindow } from '../retry-window.ts';
import type { Dialer } from '../socks/dial.ts';
import { vscodeKeepAlive } from './vscode-stream.ts';

export interface RideOutOptions {
  dialer: Dialer;
  upstreamUrl: URL;
  /** How long the upstream is tried, ms, and the longest pause between two tries. */
  retry: RetryWindow;
  /** A KeepAlive to the browser this often, ms: below the workbench's 20 s TimeoutTime. */
  keepAliveMs: number;
}

export interface RideEnd {
  /** A tunnel to the upstream opened (false: the window ended, or a failure that will not pass). */
  reachable: boolean;
  tries: number;
  ms: number;
}

/** Tries pending at once: a down peer's CONNECTs (5 s each) a 500 ms pause apart, bounded. */
const maxTriesInFlight = 8;

/**
 * Keeps `browser` alive and tries the upstream until a tunnel opens or the window is spent; the
 * tunnel itself is closed at once (the workbench's reconnection makes its own). Rejects only when
 * `signal` is aborted (the session ended meanwhile). Every timer and pending try is gone once it settles.
 */
export async function rideOut(options: RideOutOptions, browser: Duplex, signal: AbortSignal): Promise<RideEnd> {
  const started = performance.now();
  const keepAlive = setInterval(() => {
    if (browser.writable) browser.write(vscodeKeepAlive);
  }, options.keepAliveMs);
  const tries = new AbortController();
  // One listener per try in flight, and this ride's own.
  setMaxListeners(maxTriesInFlight + 1, tries.signal);
  const abort = () => tries.abort();
  signal.addEventListener('abort', abort, { once: true });
  let count = 0;
  try {
    const reachable = await tryUntilReachable(options, tries.signal, () => count++);
    if (signal.aborted) throw new ProxyError('proxy.aborted', 'the session ended during the ride');
    return { reachable, tries: count, ms: Math.round(performance.now() - started) };
  } finally {
    clearInterval(keepAlive);
    signal.removeEventListener('abort', abort);
    tries.abort();
  }
}

/** Resolves true once a try opens a tunnel; false when the window is spent or a failure will not pass; false at once when `signal` aborts. */
function tryUntilReachable({ dialer, upstreamUrl, retry }: RideOutOptions, signal: AbortSignal, counted: () => number): Promise<boolean> {
  const target = { host: upstreamUrl.hostname, port: Number(upstreamUrl.port || 80) };
  const windowEnd = performance.now() + retry.windowMs;
  return new Promise<boolean>((resolve) => {
    let pending = 0;
    let number = 0;
    let timer: NodeJS.Timeout | undefined;
    const settle = (reachable: boolean) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', aborted);
      resolve(reachable);
    };
    const aborted = () => settle(false);
    const next = () => {
      const left = windowEnd - performance.now();
      if (left <= 0) {
        if (pending === 0) settle(false);
        return;
      }
      if (pending < maxTriesInFlight) {
        number = counted() + 1;
        pending++;
        dialer.dial(target, { budgetMs: Math.max(1, Math.round(left)), signal }).then(
          ({ socket }) => {
            socket.destroy();
            settle(true);
          },
          (error: unknown) => {
            pending--;
            if (signal.aborted) return;
            if (error instanceof ProxyError && !canPass(error)) return settle(false);
            if (pending === 0 && performance.now() >= windowEnd) settle(false);
          },
        );
      }
      timer = setTimeout(next, pauseBefore(number + 1, retry.intervalMs));
    };
    if (signal.aborted) return settle(false);
    signal.addEventListener('abort', aborted, { once: true });
    next();
  });
}
