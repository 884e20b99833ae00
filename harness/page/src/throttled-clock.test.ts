import { afterEach, describe, expect, it, vi } from 'vitest';
import { ThrottledClock } from './throttled-clock.ts';

describe('a background tab’s timers', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fire when due while visible, and on the next window boundary while hidden', () => {
    vi.useFakeTimers({ now: 10_000 });
    const clock = new ThrottledClock(2000);
    const fired: number[] = [];
    clock.setTimeout(() => fired.push(Date.now()), 500);
    vi.advanceTimersByTime(500);
    expect(fired).toEqual([10_500]);
    clock.hide();
    clock.setTimeout(() => fired.push(Date.now()), 500); // due 11 000 → 12 000
    clock.setTimeout(() => fired.push(Date.now()), 1600); // due 12 100 → 14 000
    vi.advanceTimersByTime(4000);
    expect(fired).toEqual([10_500, 12_000, 14_000]);
    clock.show();
    clock.setTimeout(() => fired.push(Date.now()), 100);
    vi.advanceTimersByTime(100);
    expect(fired.at(-1)).toBe(14_600);
  });
});
