// Whether an upstream can be reached again, asked by every workbench connection riding out its
// outage (./ride-out.ts). The tries are shared per upstream: a hundred tabs open on one code-server
// are two hundred connections that lose it at once, and they need one answer, not two hundred sets
// of SOCKS CONNECTs. A try does not wait for the one before: while the peer is down, tailscaled
// holds each CONNECT for its whole dial budget (5 s) before it answers 05 01, and a try started after
// the return must not queue behind it. So tries start a pause apart (the retry window's pauses,
// ../retry-window.ts), at most `maxTriesInFlight` at once: enough for tries 500 ms apart held up to
// the proxy's 8 s CONNECT-reply deadline, so none waits for a slot (with 8, a 25 s outage of the real
// workbench came back 1.1 s after the return instead of 0.1). The first tunnel that opens is closed
// at once and answers every session waiting; the tries stop when none is.
import { setMaxListeners } from 'node:events';
import { ProxyError } from '../errors.ts';
import { canPass, pauseBefore } from '../retry-window.ts';
import type { Dialer, SocksTarget } from '../socks/dial.ts';

/** Tries pending at once per upstream. */
const maxTriesInFlight = 16;

export class UpstreamWatch {
  private readonly dialer: Dialer;
  private readonly intervalMs: number;
  private readonly watches = new Map<string, Watch>();

  constructor(dialer: Dialer, intervalMs: number) {
    this.dialer = dialer;
    this.intervalMs = intervalMs;
  }

  /**
   * True once a tunnel to `upstream` opens; false after `windowMs`, once `signal` aborts, or when a
   * try meets a failure that will not pass (credentials, `not allowed`). Rejects with an error of
   * ours (not a ProxyError). Every timer and listener is gone once it settles.
   */
  reachable(upstream: URL, windowMs: number, signal: AbortSignal): Promise<boolean> {
    const target = { host: upstream.hostname, port: Number(upstream.port || 80) };
    const key = `${target.host} ${target.port}`;
    let watch = this.watches.get(key);
    if (!watch) {
      const started = new Watch(this.dialer, target, this.intervalMs, () => this.watches.delete(key));
      this.watches.set(key, started);
      watch = started;
    }
    return watch.join(windowMs, signal);
  }
}

type Outcome = boolean | Error;

/** The tries for one upstream, while at least one session waits for them. */
class Watch {
  private readonly waiting = new Set<(outcome: Outcome) => void>();
  private readonly tries = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private pending = 0;
  private count = 0;
  private stopped = false;

  private readonly dialer: Dialer;
  private readonly target: SocksTarget;
  private readonly intervalMs: number;
  private readonly onStop: () => void;

  constructor(dialer: Dialer, target: SocksTarget, intervalMs: number, onStop: () => void) {
    this.dialer = dialer;
    this.target = target;
    this.intervalMs = intervalMs;
    this.onStop = onStop;
    // One listener per try in flight (the dialer's), and no more.
    setMaxListeners(maxTriesInFlight + 1, this.tries.signal);
    queueMicrotask(this.next);
  }

  join(windowMs: number, signal: AbortSignal): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      const settle = (outcome: Outcome) => {
        clearTimeout(deadline);
        signal.removeEventListener('abort', left);
        if (!this.waiting.delete(settle)) return;
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
        if (this.waiting.size === 0) this.stop();
      };
      const left = () => settle(false);
      const deadline = setTimeout(left, windowMs);
      this.waiting.add(settle);
      if (signal.aborted) return left();
      signal.addEventListener('abort', left, { once: true });
    });
  }

  private readonly next = () => {
    if (this.stopped) return;
    if (this.pending < maxTriesInFlight) {
      this.count++;
      this.pending++;
      // Through a promise, so that a dialer that throws at once is a rejection too.
      Promise.resolve()
        .then(() => this.dialer.dial(this.target, { signal: this.tries.signal }))
        .then(
          ({ socket }) => {
            socket.destroy();
            this.end(true);
          },
          (error: unknown) => {
            this.pending--;
            if (this.stopped) return;
            if (!(error instanceof ProxyError)) this.end(error instanceof Error ? error : new Error(String(error)));
            else if (!canPass(error)) this.end(false);
          },
        );
    }
    this.timer = setTimeout(this.next, pauseBefore(this.count + 1, this.intervalMs));
  };

  /** Answers every session waiting, then stops. */
  private end(outcome: Outcome): void {
    for (const settle of [...this.waiting]) settle(outcome);
    this.stop();
  }

  private stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.timer);
    this.tries.abort();
    this.onStop();
  }
}
