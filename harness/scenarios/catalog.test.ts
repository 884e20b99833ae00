import { describe, expect, it } from 'vitest';
import { UnknownScenarioError, scenarioById, scenarios } from './index.ts';

// The ids of specs/scenarios.md, in its order (copied: the shared spec is not read at test time).
const specIds = [
  'ipv6-only-bind', 'ipv4-only-bind', 'port-probe-health', 'not-socks', 'slow-handshake', 'blackhole',
  'truncated-reply-split', 'truncated-reply-close', 'peer-down', 'peer-refuses', 'tailnet-not-ready',
  'upstream-drops', 'socks-reset', 'query-dropped', 'origin-mismatch', 'vsda-404', 'large-messages',
  'request-timeout', 'tunnel-idle', 'terminal',
];

describe('the scenario catalog', () => {
  it('has every row of the spec, once, in order', () => {
    expect(scenarios.map((s) => s.id)).toEqual(specIds);
  });

  it('never lets the fixed profile expect a 1006', () => {
    for (const s of scenarios) expect(s.expect.fixed.closeCodes ?? [], s.id).not.toContain(1006);
  });

  it('gives every legacy failure something observable that the fixed run does not share', () => {
    // A row whose two outcomes are indistinguishable could not show the failure (the detector could not fail).
    const sameOnPurpose = new Set(['terminal']);
    for (const s of scenarios.filter((s) => !sameOnPurpose.has(s.id))) {
      const { says: _l, ...legacy } = s.expect.legacy;
      const { says: _f, ...fixed } = s.expect.fixed;
      expect(legacy, s.id).not.toEqual(fixed);
    }
  });

  it('keeps deadline windows ordered (a fixed close can only come before the front end gives up)', () => {
    for (const s of scenarios) {
      const { closeAfterMs = 0, closeWithinMs = Infinity } = s.expect.fixed;
      expect(closeAfterMs, s.id).toBeLessThan(closeWithinMs);
    }
  });

  it('rejects an unknown id with a stable code', () => {
    expect(() => scenarioById('nope')).toThrow(UnknownScenarioError);
    expect(scenarioById('blackhole').probe).toBe('workbench');
  });
});
