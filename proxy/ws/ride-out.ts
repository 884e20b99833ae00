// Rides out an outage of the upstream behind an open workbench connection. When the upstream ends
// mid-session — the tailnet peer gone, code-server restarting — closing the browser at once starts
// VS Code's reconnection loop, whose pauses (0, 5, 5, 10 … 30 s, remoteAgentConnection.ts
// PersistentConnection._runReconnectingLoop) no proxy can shorten: a peer that returns during one
// is seen only at the next attempt, up to 30 s later. So the browser is kept instead: a KeepAlive
// of the protocol's own (./vscode-stream.ts) at once and every keepAliveMs holds off the
// workbench's dead-socket check, while the upstream is tried (./upstream-watch.ts, shared by every
// session riding the same upstream). Once a tunnel opens the ride ends, and the caller closes the
// browser: the loop's first attempt has no pause, so the workbench reconnects — its messages
// unacknowledged meanwhile are replayed by the protocol — within a pause of the tries after the
// peer's return.
import type { Duplex } from 'node:stream';
import { ProxyError } from '../errors.ts';
import type { UpstreamWatch } from './upstream-watch.ts';
import { vscodeKeepAlive } from './vscode-stream.ts';

export interface RideOutOptions {
  watch: UpstreamWatch;
  upstreamUrl: URL;
  /** How long the upstream is waited for, ms. */
  windowMs: number;
  /** A KeepAlive to the browser this often, ms: below the workbench's 20 s TimeoutTime. */
  keepAliveMs: number;
}

export interface RideEnd {
  /** A tunnel to the upstream opened (false: the window ended, or a failure that will not pass). */
  reachable: boolean;
  ms: number;
}

/**
 * Keeps `browser` alive until the upstream can be reached or the window is spent. Rejects when
 * `signal` is aborted (the session ended meanwhile) and with an error of ours; the KeepAlive's
 * timer is cleared either way.
 */
export async function rideOut(options: RideOutOptions, browser: Duplex, signal: AbortSignal): Promise<RideEnd> {
  const started = performance.now();
  // At once too: the workbench's 20 s count started at the upstream's last byte, before the settle window.
  const keepAlive = () => {
    if (browser.writable) browser.write(vscodeKeepAlive);
  };
  keepAlive();
  const timer = setInterval(keepAlive, options.keepAliveMs);
  try {
    const reachable = await options.watch.reachable(options.upstreamUrl, options.windowMs, signal);
    if (signal.aborted) throw new ProxyError('proxy.aborted', 'the session ended during the ride');
    return { reachable, ms: Math.round(performance.now() - started) };
  } finally {
    clearInterval(timer);
  }
}
