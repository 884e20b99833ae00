import { describe, expect, it } from 'vitest';
import { judge } from './judge.ts';
import type { ObservedSocket, Observation } from './judge.ts';
import { scenarioById } from './index.ts';

const socket = (created: number, opened: number | undefined, closed: number, code: number, reason = ''): ObservedSocket => ({
  url: 'ws://h/dev/code/stable-x',
  createdAt: created,
  openedAt: opened,
  closedAt: closed,
  code,
  reason,
});
const seen = (sockets: ObservedSocket[], more: Partial<Observation> = {}): Observation => ({ sockets, socksLog: [], ...more });

describe('judging a run against the catalog', () => {
  const blackhole = scenarioById('blackhole').expect;

  it('accepts the fixed close at the greeting deadline and refuses a 1006, a wrong code, or a close too soon or too late', () => {
    expect(judge(blackhole.fixed, seen([socket(0, 20, 530, 1014, 'socks.timeout.greeting after 500 ms')])).ok).toBe(true);
    expect(judge(blackhole.fixed, seen([socket(0, 20, 530, 1006)])).ok).toBe(false);
    expect(judge(blackhole.fixed, seen([socket(0, 20, 530, 1011, 'timed out')])).ok).toBe(false);
    expect(judge(blackhole.fixed, seen([socket(0, 20, 100, 1014, 'timed out')])).ok).toBe(false);
    expect(judge(blackhole.fixed, seen([socket(0, 20, 2000, 1014, 'timed out')])).ok).toBe(false);
  });

  it('takes the first close in time, not the first socket created', () => {
    const sockets = [socket(0, 10, 900, 1000), socket(5, 15, 520, 1014, 'timed out')];
    expect(judge(blackhole.fixed, seen(sockets)).ok).toBe(true);
  });

  it('wants the legacy 1006 after the front end gave up, and nothing else', () => {
    expect(judge(blackhole.legacy, seen([socket(0, undefined, 1500, 1006)])).ok).toBe(true);
    expect(judge(blackhole.legacy, seen([socket(0, undefined, 300, 1006)])).ok).toBe(false);
    expect(judge(blackhole.legacy, seen([])).ok).toBe(false);
  });

  it('checks the SOCKS log: quiet means no line at all', () => {
    const health = scenarioById('port-probe-health').expect;
    const healthy = { readiness: { ready: true, body: '{}' }, workbench: { connected: true, reconnects: 0, lost: 0 } };
    expect(judge(health.fixed, seen([], healthy)).ok).toBe(true);
    expect(judge(health.fixed, seen([], { ...healthy, socksLog: ['socks5: client connection failed: could not read packet header'] })).ok).toBe(false);
    expect(judge(health.legacy, seen([], { ...healthy, socksLog: ['socks5: client connection failed: could not read packet header'] })).ok).toBe(true);
  });

  it('requires a reconnection that lost nothing for recovering rows', () => {
    const drops = scenarioById('upstream-drops').expect.fixed;
    const closed = [socket(0, 10, 200, 1014, 'upstream.ended_without_close')];
    expect(judge(drops, seen(closed, { workbench: { connected: true, reconnects: 1, lost: 0 } })).ok).toBe(true);
    expect(judge(drops, seen(closed, { workbench: { connected: true, reconnects: 1, lost: 2 } })).ok).toBe(false);
    expect(judge(drops, seen(closed, { workbench: { connected: true, reconnects: 0, lost: 0 } })).ok).toBe(false);
  });

  it('fails upstream-drops and socks-reset for a proxy that answers 1011 (its own internal error), or names the wrong end', () => {
    const recovered = { workbench: { connected: true, reconnects: 1, lost: 0 } };
    const drops = scenarioById('upstream-drops').expect.fixed;
    const reset = scenarioById('socks-reset').expect.fixed;
    const crashed = [socket(0, 10, 200, 1011, 'proxy.internal TypeError: boom')];
    expect(judge(drops, seen(crashed, recovered)).ok).toBe(false);
    expect(judge(reset, seen(crashed, recovered)).ok).toBe(false);
    expect(judge(drops, seen([socket(0, 10, 200, 1001, 'proxy.shutdown')], recovered)).ok).toBe(false);
    expect(judge(drops, seen([socket(0, 10, 200, 1014, 'upstream.ended_without_close the upstream ended its connection without a close frame')], recovered)).ok).toBe(true);
    expect(judge(reset, seen([socket(0, 10, 200, 1014, 'upstream.reset connection reset without a close frame (ECONNRESET)')], recovered)).ok).toBe(true);
    // The reset must be told apart from a clean end: that is the cause the browser has to see.
    expect(judge(reset, seen([socket(0, 10, 200, 1014, 'upstream.ended_without_close the upstream ended its connection without a close frame')], recovered)).ok).toBe(false);
  });
});
