// The timers of a background tab: Chromium throttles a hidden page's timers, and after a few
// minutes hidden wakes chained timers only on whole minutes ("intensive wake up throttling"). A
// workbench's KeepAlive and acks run on such timers; the socket's events do not. This clock
// stands for that tab: while throttled, each timer fires at the first multiple of `windowMs` after
// it is due; the network stack — messages in, the pong to a ping — is not touched.
import type { Clock } from '../../../mock-code-server/common/index.ts';

type Handle = ReturnType<typeof globalThis.setTimeout>;

export class ThrottledClock implements Clock {
  private throttled = false;

  constructor(private readonly windowMs: number, private readonly nowMs: () => number = () => Date.now()) {}

  now(): number {
    return this.nowMs();
  }

  setTimeout(callback: () => void, ms: number): Handle {
    if (!this.throttled) return globalThis.setTimeout(callback, ms);
    const due = this.nowMs() + Math.max(0, ms);
    return globalThis.setTimeout(callback, Math.ceil(due / this.windowMs) * this.windowMs - this.nowMs());
  }

  clearTimeout(handle: Handle): void {
    globalThis.clearTimeout(handle);
  }

  /** The tab goes to the background: timers set from now on wake on window boundaries. */
  hide(): void {
    this.throttled = true;
  }

  /** The tab is visible again. */
  show(): void {
    this.throttled = false;
  }
}
