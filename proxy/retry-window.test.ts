// The retry window on its own, on a hand-driven clock: which causes are tried again, the pauses
// between attempts, the hard end of the window, the cause reported, and the caller's abort.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProxyError } from './errors.ts';
import { canPass, pauseBefore, RetryAbortedError, withinRetryWindow, type AttemptBudget } from './retry-window.ts';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

/** An attempt that fails after `ms` with `cause`, recording what it was given. */
function failing(cause: () => ProxyError, ms = 0) {
  const given: (AttemptBudget & { at: number })[] = [];
  const attempt = (budget: AttemptBudget) => {
    given.push({ ...budget, at: performance.now() });
    return new Promise<never>((_resolve, reject) => setTimeout(() => reject(cause()), Math.min(ms, budget.remainingMs ?? ms)));
  };
  return { attempt, given };
}

describe('canPass', () => {
  it.each([
    ['socks.reply_general_failure', '(REP 0x01)', true],
    ['socks.reply_host_unreachable', '(REP 0x04)', true],
    ['socks.reply_connection_refused', '(REP 0x05)', true],
    ['socks.connect_refused', '127.0.0.1:1055, [::1]:1055', true],
    ['socks.timeout.connect_reply', 'after 8000 ms', true],
    ['socks.closed.greeting', 'server closed the connection', true],
    ['socks.reply_truncated', '(got 4 of 10 bytes of the connect reply)', true],
    ['upstream.closed_before_upgrade', '', true],
    ['upstream.timeout.upgrade', 'no 101 after 10000 ms', true],
    ['upstream.upgrade_refused', '(HTTP 503)', true],
    ['upstream.upgrade_refused', '(HTTP 403)', false],
    ['upstream.upgrade_refused', '(HTTP 401)', false],
    ['socks.reply_not_allowed', '(REP 0x02)', false],
    ['socks.reply_command_not_supported', '(REP 0x07)', false],
    ['socks.auth_failed', '', false],
    ['socks.not_socks', 'got "HTTP/1.1"', false],
    ['socks.reply_invalid', 'VER 4', false],
    ['upstream.invalid_upgrade', 'wrong Sec-WebSocket-Accept', false],
    ['proxy.internal', 'boom', false],
  ])('%s %s → %s', (code, detail, expected) => {
    expect(canPass(new ProxyError(code, detail))).toBe(expected);
  });
});

describe('withinRetryWindow', () => {
  it('pauses an eighth, a quarter, a half of the interval, then the interval', () => {
    expect([2, 3, 4, 5, 6, 7].map((n) => pauseBefore(n, 500))).toEqual([63, 125, 250, 500, 500, 500]);
  });

  it('tries again until the window is spent, then reports the last cause with the attempts', async () => {
    const { attempt, given } = failing(() => new ProxyError('socks.reply_general_failure', '(REP 0x01)'));
    const result = withinRetryWindow({ windowMs: 2000, intervalMs: 500 }, new AbortController().signal, attempt).catch((error: unknown) => error);
    await vi.runAllTimersAsync();
    const error = (await result) as ProxyError;
    expect(given.map((g) => g.at)).toEqual([0, 63, 188, 438, 938, 1438, 1938]);
    expect(given.map((g) => g.remainingMs)).toEqual([2000, 1937, 1812, 1562, 1062, 562, 62]);
    expect(error.code).toBe('socks.reply_general_failure');
    expect(error.message).toBe('socks.reply_general_failure (REP 0x01) (7 attempts in 1938 ms)');
  });

  it('reports the attempt before one the window cut short', async () => {
    // The first attempt is refused at once; the second hangs until the window's end cuts it.
    let n = 0;
    const { attempt } = failing(() => (n++ === 0 ? new ProxyError('socks.reply_general_failure', '(REP 0x01)') : new ProxyError('socks.timeout.connect_reply', 'after 990 ms')), 5000);
    const firstAtOnce = (budget: AttemptBudget) => (n === 0 ? Promise.reject(new ProxyError('socks.reply_general_failure', '(REP 0x01)')).finally(() => n++) : attempt(budget));
    const result = withinRetryWindow({ windowMs: 1000, intervalMs: 80 }, new AbortController().signal, firstAtOnce).catch((error: unknown) => error);
    await vi.runAllTimersAsync();
    expect(((await result) as ProxyError).message).toBe('socks.reply_general_failure (REP 0x01) (2 attempts in 1000 ms)');
  });

  it('does not try again a cause that will not pass', async () => {
    const { attempt, given } = failing(() => new ProxyError('upstream.upgrade_refused', '(HTTP 403)'));
    const result = withinRetryWindow({ windowMs: 2000, intervalMs: 500 }, new AbortController().signal, attempt).catch((error: unknown) => error);
    await vi.runAllTimersAsync();
    expect(((await result) as ProxyError).message).toBe('upstream.upgrade_refused (HTTP 403)');
    expect(given).toHaveLength(1);
  });

  it('with a window of 0 makes one attempt with its own deadlines', async () => {
    const { attempt, given } = failing(() => new ProxyError('socks.reply_general_failure', '(REP 0x01)'));
    const result = withinRetryWindow({ windowMs: 0, intervalMs: 500 }, new AbortController().signal, attempt).catch((error: unknown) => error);
    await vi.runAllTimersAsync();
    expect(((await result) as ProxyError).message).toBe('socks.reply_general_failure (REP 0x01)');
    expect(given).toEqual([expect.objectContaining({ attempt: 1, remainingMs: undefined })]);
  });

  it('stops in a pause when the caller aborts, leaving no timer', async () => {
    const { attempt, given } = failing(() => new ProxyError('socks.reply_general_failure', '(REP 0x01)'));
    const caller = new AbortController();
    const result = withinRetryWindow({ windowMs: 60_000, intervalMs: 500 }, caller.signal, attempt).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(100);
    caller.abort();
    expect(await result).toBeInstanceOf(RetryAbortedError);
    expect(given).toHaveLength(2);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('resolves with the first attempt that succeeds', async () => {
    let n = 0;
    const result = withinRetryWindow({ windowMs: 2000, intervalMs: 500 }, new AbortController().signal, async () => {
      if (++n < 3) throw new ProxyError('socks.reply_general_failure', '(REP 0x01)');
      return 'tunnel';
    });
    await vi.runAllTimersAsync();
    expect(await result).toBe('tunnel');
    expect(n).toBe(3);
  });
});
