// The server's busy and idle stretches, for faults that model a node whose CPU is allocated only
// while a request is in flight (each open SOCKS connection stands for one).
import type { NodeActivity } from './faults/fault.ts';

export class ActivityClock implements NodeActivity {
  wokeAt: number;
  idleBeforeMs = 0;
  private open = 0;
  private idleSince: number;

  constructor(now = Date.now()) {
    this.wokeAt = now;
    this.idleSince = now;
  }

  opened(): void {
    if (this.open++ > 0) return;
    const now = Date.now();
    this.idleBeforeMs = now - this.idleSince;
    this.wokeAt = now;
  }

  closed(): void {
    if (--this.open === 0) this.idleSince = Date.now();
  }
}
