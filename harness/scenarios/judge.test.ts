import { describe, expect, it } from 'vitest';
import { judge } from './judge.ts';
import type { ObservedSocket, Observation } from './judge.ts';
import { scenarioById, scenarios } from './index.ts';

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
    expect(judge(blackhole.fixed, seen([socket(0, 20, 2500, 1014, 'timed out')])).ok).toBe(false); // past the hold and window's end
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

  it('fails a fault in front of the proxy that is reproduced but not named — or named as another cause', () => {
    const stripped = scenarioById('upgrade-not-forwarded').expect.fixed;
    const refused = [socket(0, undefined, 40, 1006)];
    const named = 'front end: the WebSocket upgrade was forwarded without its Upgrade and Connection headers (hop-by-hop, RFC 9110 §7.6.1)';
    expect(judge(stripped, seen(refused, { causes: [named] })).ok).toBe(true);
    expect(judge(stripped, seen(refused, { causes: [] }))).toMatchObject({ ok: false, checks: expect.arrayContaining([expect.objectContaining({ what: expect.stringMatching(/^the cause is named/) as unknown as string, ok: false, saw: 'no cause named' })]) });
    expect(judge(stripped, seen(refused, { causes: ['front end answered the WebSocket upgrade with 302 Found'] })).ok).toBe(false);
    // Every such row: the same failure seen, nothing named, is a failed run.
    for (const s of scenarios.filter((s) => s.faultSits === 'in-front')) {
      const verdict = judge(s.expect.fixed, seen(refused, { causes: [], workbench: { connected: true, reconnects: 1, lost: 0 }, upgradeAnswers: [] }));
      expect(verdict.checks.find((c) => c.what.startsWith('the cause is named'))?.ok, s.id).toBe(false);
      expect(verdict.ok, s.id).toBe(false);
    }
  });

  it('tells an idle timeout from a request timeout: the quiet terminal cut, the busy workbench kept', () => {
    const { legacy, fixed } = scenarioById('idle-timeout').expect;
    const workbench = socket(0, 20, 0, 0);
    const open = { ...workbench, closedAt: undefined, code: undefined };
    const terminalCut = { ...socket(100, 120, 1130, 1006), url: 'ws://h/dev/ws/terminal' };
    const named = { causes: ['front end: idle timeout — no byte either way for 1000 ms'] };
    expect(judge(legacy, seen([open, terminalCut], named)).ok).toBe(true);
    // The workbench cut too would be a deadline, not an idle timer: traffic would have kept it.
    expect(judge(legacy, seen([{ ...workbench, closedAt: 1100, code: 1006 }, terminalCut], named)).ok).toBe(false);
    const quietKept = { workbench: { connected: true, reconnects: 0, lost: 0 }, terminal: { echoed: true, resized: true } };
    expect(judge(fixed, seen([open, { ...open, url: 'ws://h/dev/ws/terminal' }], quietKept)).ok).toBe(true);
    expect(judge(fixed, seen([open, terminalCut], quietKept)).ok).toBe(false);
  });
});

