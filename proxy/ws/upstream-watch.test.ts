// The tries shared by every session riding out one upstream's outage, against a dialer the test
// drives: one set of tries however many sessions wait, each session's own window, the first open
// tunnel answering them all, and errors of ours reported rather than tried again.
import { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ProxyError } from '../errors.ts';
import type { Dialer, DialLimits, SocksTarget, SocksTunnel } from '../socks/dial.ts';
import { UpstreamWatch } from './upstream-watch.ts';

const upstream = new URL('http://100.84.184.84:8888');

/** A dialer whose dials wait until the test answers them; aborted ones reject as the real one does. */
function drivenDialer() {
  const dials: { target: SocksTarget; aborted: boolean; open(): void; refuse(error: unknown): void }[] = [];
  const dialer: Dialer = {
    serverName: 'driven',
    abortAll: () => {},
    dial: (target: SocksTarget, limits: DialLimits = {}) =>
      new Promise<SocksTunnel>((resolve, reject) => {
        let settled = false;
        const dial = {
          target,
          aborted: false,
          open: () => {
            settled = true;
            resolve({ socket: new Socket(), server: 'driven', steps: [] });
          },
          refuse: (error: unknown) => {
            settled = true;
            reject(error);
          },
        };
        limits.signal?.addEventListener('abort', () => {
          if (settled) return;
          dial.aborted = true;
          reject(new ProxyError('proxy.aborted', 'dial aborted'));
        });
        dials.push(dial);
      }),
  };
  return { dialer, dials };
}

const refusal = () => new ProxyError('socks.reply_general_failure', '(REP 0x01)');

describe('UpstreamWatch', () => {
  it('shares one set of tries among the sessions waiting for the same upstream, and answers them all at once', async () => {
    const { dialer, dials } = drivenDialer();
    const watch = new UpstreamWatch(dialer, 10);
    const sessions = [1, 2, 3].map(() => watch.reachable(upstream, 60_000, new AbortController().signal));
    await expect.poll(() => dials.length).toBe(16);
    // Held tries (a down peer) are not added to past the cap, whatever the number of sessions.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(dials.length).toBe(16);
    dials[0]?.refuse(refusal());
    await expect.poll(() => dials.length).toBe(17);
    dials[16]?.open();
    expect(await Promise.all(sessions)).toEqual([true, true, true]);
    // The tries still held are given up.
    expect(dials.filter((d) => d.aborted)).toHaveLength(15);
  });

  it("ends each session's wait at its own window, and stops trying once none waits", async () => {
    const { dialer, dials } = drivenDialer();
    const watch = new UpstreamWatch(dialer, 10);
    const short = watch.reachable(upstream, 30, new AbortController().signal);
    const long = new AbortController();
    const longer = watch.reachable(upstream, 60_000, long.signal);
    expect(await short).toBe(false);
    await expect.poll(() => dials.length).toBeGreaterThan(1);
    long.abort();
    expect(await longer).toBe(false);
    await expect.poll(() => dials.every((d) => d.aborted)).toBe(true);
    const after = dials.length;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(dials.length).toBe(after);
  });

  it('answers false at once to a failure that will not pass, and starts afresh for the next session', async () => {
    const { dialer, dials } = drivenDialer();
    const watch = new UpstreamWatch(dialer, 10_000);
    const first = watch.reachable(upstream, 60_000, new AbortController().signal);
    await expect.poll(() => dials.length).toBe(1);
    dials[0]?.refuse(new ProxyError('socks.auth_failed', ''));
    expect(await first).toBe(false);
    const next = watch.reachable(upstream, 60_000, new AbortController().signal);
    await expect.poll(() => dials.length).toBe(2);
    dials[1]?.open();
    expect(await next).toBe(true);
  });

  it('rejects with an error of ours instead of trying again, a dialer that throws at once included', async () => {
    const { dialer, dials } = drivenDialer();
    const watch = new UpstreamWatch(dialer, 10_000);
    const waiting = watch.reachable(upstream, 60_000, new AbortController().signal);
    await expect.poll(() => dials.length).toBe(1);
    dials[0]?.refuse(new TypeError('a bug'));
    await expect(waiting).rejects.toThrow('a bug');
    const throwing: Dialer = {
      ...dialer,
      dial: () => {
        throw new RangeError('thrown at once');
      },
    };
    await expect(new UpstreamWatch(throwing, 10).reachable(upstream, 60_000, new AbortController().signal)).rejects.toThrow('thrown at once');
  });
});
