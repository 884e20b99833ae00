// Which rows can judge which proxy: a BYO proxy is never judged on our hooks or legacy knobs.
import { describe, expect, it } from 'vitest';
import { applicability, realCodeServerApplicability, scenarioById, scenarios } from './index.ts';

const byo = { ours: false, readinessRoute: false };

describe('the proxy contract', () => {
  it('applies every row, both profiles, to our proxy', () => {
    for (const s of scenarios) for (const profile of ['fixed', 'legacy'] as const) expect(applicability(s, profile, { ours: true, readinessRoute: true }), `${s.id} ${profile}`).toEqual({ applicable: true });
  });

  it('never runs a legacy self-check against a BYO proxy', () => {
    for (const s of scenarios) expect(applicability(s, 'legacy', byo)).toMatchObject({ applicable: false, needs: 'legacy-knob' });
  });

  it('judges a BYO proxy on every fixed row but the ones needing our hooks or a readiness route it does not declare', () => {
    const notApplicable = scenarios.filter((s) => !applicability(s, 'fixed', byo).applicable).map((s) => [s.id, s.needs]);
    expect(notApplicable).toEqual([['port-probe-health', 'readiness-route'], ['not-socks', 'readiness-route'], ['tunnel-idle', 'our-hooks']]);
    expect(applicability(scenarioById('not-socks'), 'fixed', { ours: false, readinessRoute: true })).toEqual({ applicable: true });
    expect(applicability(scenarioById('tunnel-idle'), 'fixed', { ours: false, readinessRoute: true })).toMatchObject({ applicable: false, needs: 'our-hooks' });
  });

  it('marks the rows whose fixed run uses our in-process hook as needing it', () => {
    for (const s of scenarios) if (s.upgradePathThrows) expect(s.needs, s.id).toBe('our-hooks');
  });

  // The real-code-server project once ran idle-timeout and keepalive-starved: a front door idle after
  // 1.5 s against the proxy's real 25 s pings, which could only fail.
  it('keeps rows timed in milliseconds off a real code-server, the front door included', () => {
    const applicable = scenarios.filter((s) => realCodeServerApplicability(s).applicable).map((s) => s.id);
    expect(applicable).not.toContain('idle-timeout');
    expect(applicable).not.toContain('keepalive-starved');
    expect(applicable).toContain('websocket-cap');
  });
});
