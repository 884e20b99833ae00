// A Clock the test moves by hand: timers fire in due order inside advance(), never on their own.
import type { Clock, TimerHandle } from '../common/clock.ts';

interface Pending {
  at: number;
  seq: number;
  callback: () => void;
}

export class ManualClock implements Clock {
  private time = 0;
  private seq = 0;
  private readonly timers = new Map<number, Pending>();

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const id = ++this.seq;
    this.timers.set(id, { at: this.time + Math.max(0, ms), seq: id, callback });
    return id as unknown as TimerHandle;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle as unknown as number);
  }

  get pendingTimers(): number {
    return this.timers.size;
  }

  /** When the earliest pending timer is due, if any. */
  nextDue(): number | undefined {
    let due: number | undefined;
    for (const timer of this.timers.values()) if (due === undefined || timer.at < due) due = timer.at;
    return due;
  }

  /** Moves to the earliest pending timer and runs everything due then; false when none is pending. */
  advanceToNext(): boolean {
    const due = this.nextDue();
    if (due === undefined) return false;
    this.advance(due - this.time);
    return true;
  }

  advance(ms: number, afterEach: () => void = () => undefined): void {
    const end = this.time + ms;
    for (;;) {
      let next: [number, Pending] | undefined;
      for (const entry of this.timers) {
        if (entry[1].at <= end && (!next || entry[1].at < next[1].at || (entry[1].at === next[1].at && entry[1].seq < next[1].seq))) next = entry;
      }
      if (!next) break;
      this.timers.delete(next[0]);
      this.time = next[1].at;
      next[1].callback();
      afterEach();
    }
    this.time = end;
  }
}
