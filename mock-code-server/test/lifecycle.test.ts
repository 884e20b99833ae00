// close() must leave nothing behind: other rooms start and stop this server per test.
import { describe, expect, it } from 'vitest';
import { systemClock, type Clock, type TimerHandle } from '../common/clock.ts';
import { startServer } from '../node/server.ts';
import { controlJson, handshake, openRaw, wsUrl } from './raw-client.ts';

/** The real clock, counting the timers still pending. */
function countingClock(): Clock & { pending: Set<TimerHandle> } {
  const pending = new Set<TimerHandle>();
  return {
    pending,
    now: systemClock.now,
    setTimeout(callback, ms) {
      const handle = systemClock.setTimeout(() => {
        pending.delete(handle);
        callback();
      }, ms);
      pending.add(handle);
      return handle;
    },
    clearTimeout(handle) {
      pending.delete(handle);
      systemClock.clearTimeout(handle);
    },
  };
}

describe('server lifecycle', () => {
  it('close() ends sessions, sockets and timers (keepalive, extension host ready delay, grace)', async () => {
    const clock = countingClock();
    const server = await startServer({ clock });
    const management = await openRaw(wsUrl(server.url, { reconnectionToken: 'life-1' }));
    expect(controlJson(await handshake(management, 1))).toEqual({ type: 'ok' });
    const extensionHost = await openRaw(wsUrl(server.url, { reconnectionToken: 'life-2' }));
    await handshake(extensionHost, 2);
    // A dropped session waiting out its 3 h grace holds a timer too.
    const dropped = await openRaw(wsUrl(server.url, { reconnectionToken: 'life-3' }));
    await handshake(dropped, 1);
    dropped.ws.terminate();
    await expect.poll(() => server.openSockets(), { timeout: 10_000 }).toBe(2);
    expect(clock.pending.size).toBeGreaterThanOrEqual(4);
    await server.close();
    expect(await management.closed).toBe(1006);
    expect(await extensionHost.closed).toBe(1006);
    expect(server.openSockets()).toBe(0);
    expect(clock.pending.size).toBe(0);
  });
});
