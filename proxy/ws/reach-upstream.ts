// The dial phase of a WebSocket session: a SOCKS tunnel to the upstream, then the upstream's
// upgrade over it — attempted again within the retry window while the browser, already answered,
// waits with its first frames held. The workbench ignores a close while it waits for its first
// control message and gives up only at its own 10 s deadline, so an upstream reached within the
// window is a reconnection now instead of one a whole reconnection cycle later.
import type { OutgoingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import { recordDialSteps, type AccessRecord } from '../log.ts';
import { withinRetryWindow, RetryAbortedError, type AttemptBudget, type RetryWindow } from '../retry-window.ts';
import { SocksDialError, type Dialer } from '../socks/dial.ts';
import { upstreamUpgrade } from './handshake.ts';
import type { TunnelReads } from './tunnel-reads.ts';

export interface UpstreamReach {
  dialer: Dialer;
  upstreamUrl: URL;
  /** The request target sent upstream, byte for byte. */
  target: string;
  /** The upgrade request's headers, the handshake's own excepted. */
  headers: OutgoingHttpHeaders;
  protocols: string[];
  /** Deadline for the 101 once a tunnel is up, ms (cut to what is left of the window). */
  upgradeTimeoutMs: number;
  retry: RetryWindow;
  record: AccessRecord;
  /** Socket errors of the tunnel that is handed over, from its first: they tell an RST from a FIN later. */
  onTunnelError: (error: NodeJS.ErrnoException) => void;
  /** Where the tunnel reads (./tunnel-reads.ts). */
  reads: TunnelReads;
}

export interface ReachedUpstream {
  tunnel: Duplex;
  /** Bytes that followed the 101 (the upstream's first frames). */
  first: Buffer;
}

/** A tunnel whose upgrade was answered 101; rejects with the cause (attempts in its detail), or RetryAbortedError once `signal` is aborted. */
export function reachUpstream(reach: UpstreamReach, signal: AbortSignal): Promise<ReachedUpstream> {
  return withinRetryWindow(reach.retry, signal, (budget) => attemptUpstream(reach, budget));
}

async function attemptUpstream(reach: UpstreamReach, { attempt, remainingMs, signal }: AttemptBudget): Promise<ReachedUpstream> {
  const started = performance.now();
  const { record } = reach;
  if (attempt > 1) record.attempts = attempt;
  let tunnel: Duplex;
  try {
    const dialled = await reach.dialer.dial({ host: reach.upstreamUrl.hostname, port: Number(reach.upstreamUrl.port || 80) }, { budgetMs: remainingMs, signal, reads: reach.reads });
    recordDialSteps(record, dialled.steps);
    record.socks = dialled.server;
    tunnel = dialled.socket;
  } catch (error) {
    if (error instanceof SocksDialError) recordDialSteps(record, error.steps);
    throw error;
  }
  let handedOver = false;
  let earlyError: NodeJS.ErrnoException | undefined;
  tunnel.on('error', (error: NodeJS.ErrnoException) => {
    if (handedOver) reach.onTunnelError(error);
    else earlyError ??= error;
  });
  const abort = () => tunnel.destroy();
  if (signal.aborted) {
    abort();
    throw new RetryAbortedError();
  }
  signal.addEventListener('abort', abort, { once: true });
  try {
    const upgradeStarted = performance.now();
    const left = remainingMs === undefined ? reach.upgradeTimeoutMs : Math.min(reach.upgradeTimeoutMs, Math.max(1, Math.round(remainingMs - (upgradeStarted - started))));
    const first = await upstreamUpgrade(tunnel, reach.target, reach.headers, reach.protocols, left);
    record.hops['upstream.upgrade'] = Math.round(performance.now() - upgradeStarted);
    handedOver = true;
    if (earlyError) reach.onTunnelError(earlyError);
    return { tunnel, first };
  } catch (error) {
    tunnel.destroy();
    throw error;
  } finally {
    signal.removeEventListener('abort', abort);
  }
}
