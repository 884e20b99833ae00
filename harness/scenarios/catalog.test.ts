import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { proxyEnvFor } from '../proxy-settings.ts';
import { UnknownScenarioError, scenarioById, scenarios } from './index.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const contract = readFileSync(new URL('../../docs/proxy-contract.md', import.meta.url), 'utf8');
const needsWords = { 'any-proxy': 'any proxy', 'readiness-route': 'readiness route', 'our-hooks': "our proxy's hooks", 'legacy-knob': 'a legacy knob' };

// The catalog's ids, in the order the README shows them.
const specIds = [
  'ipv6-only-bind', 'ipv4-only-bind', 'port-probe-health', 'not-socks', 'slow-handshake', 'blackhole',
  'truncated-reply-split', 'truncated-reply-close', 'peer-down', 'peer-refuses', 'tailnet-not-ready',
  'upstream-drops', 'socks-reset', 'query-dropped', 'origin-mismatch', 'vsda-404', 'large-messages',
  'request-timeout', 'tunnel-idle', 'terminal',
  // The most-reported causes beyond the seed notes: the hop in front, then the platform and code-server's lifecycle.
  'upgrade-not-forwarded', 'idle-timeout', 'base-path-missed', 'auth-expired', 'reload-drops-all', 'hollow-101',
  'frame-corrupted', 'keepalive-starved', 'websocket-cap', 'session-lost', 'cloud-run-concurrency', 'cloud-run-cpu-throttled',
];

describe('the scenario catalog', () => {
  it('has every row of the spec, once, in order', () => {
    expect(scenarios.map((s) => s.id)).toEqual(specIds);
  });

  it('lets only a fault in front of the proxy expect a 1006 in the fixed run — and such a row must name its cause', () => {
    for (const s of scenarios) {
      if (s.faultSits !== 'in-front') expect(s.expect.fixed.closeCodes ?? [], s.id).not.toContain(1006);
      else expect(s.expect.fixed.namesCause, s.id).toBeDefined();
    }
  });

  it('gives every row beyond the seed notes its public evidence and its remedy', () => {
    const beyond = scenarios.filter((s) => s.front !== undefined || s.faultSits !== undefined || specIds.indexOf(s.id) >= specIds.indexOf('upgrade-not-forwarded'));
    expect(beyond.length).toBe(12);
    for (const s of beyond) {
      expect(s.evidence?.length, s.id).toBeGreaterThan(0);
      expect(s.remedy, s.id).toBeTruthy();
    }
  });

  it('names one close code and its cause in every fixed expectation of a close (a list of codes could not fail on the proxy\'s own 1011)', () => {
    for (const s of scenarios) {
      const { closeCodes, reason, namesCause } = s.expect.fixed;
      if (!closeCodes) continue;
      expect(closeCodes, s.id).toHaveLength(1);
      // A 1006 carries no reason: the hop in front that caused it is named instead.
      expect(closeCodes[0] === 1006 ? namesCause : reason, s.id).toBeDefined();
    }
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

  it("is the README's catalog table, row for row, with each row's contract part", () => {
    const rows = readme.split('\n').filter((line) => /^\| `[a-z0-9-]+` \|/.test(line)).map((line) => line.split(' | '));
    expect(rows.map((cells) => cells[0]?.replace(/^\| `|`$/g, ''))).toEqual(scenarios.map((s) => s.id));
    for (const [i, s] of scenarios.entries()) expect(rows[i]?.at(-1), s.id).toBe(`${needsWords[s.needs]} |`);
  });

  it('gives a command proxy only the variables the proxy contract documents', () => {
    const documented = new Set(contract.match(/`[A-Z][A-Z0-9_]+`/g)?.map((name) => name.slice(1, -1)));
    for (const s of scenarios) {
      for (const name of Object.keys(proxyEnvFor(s, 'fixed', { socksUrl: 'socks5h://localhost:1', port: 1 }))) expect(documented, `${s.id}: ${name}`).toContain(name);
    }
  });

  it('rejects an unknown id with a stable code', () => {
    expect(() => scenarioById('nope')).toThrow(UnknownScenarioError);
    expect(scenarioById('blackhole').probe).toBe('workbench');
  });
});
