import { describe, expect, it } from 'vitest';
import { loadConfig, optionSpecs } from '../config.ts';
import { legacyHelpText, legacyOptionSpecs, loadLegacyConfig } from './config.ts';

const required = { UPSTREAM_URL: 'http://100.84.184.84:8888' };

describe('loadLegacyConfig', () => {
  it('is the product configuration plus a profile and its knobs', () => {
    const { profile, legacy, ...product } = loadLegacyConfig({ ...required, PORT: '9090', SOCKS_GREETING_TIMEOUT_MS: '25' }, ['--listen', '127.0.0.1:0']);
    expect(product).toEqual(loadConfig({ ...required, PORT: '9090', SOCKS_GREETING_TIMEOUT_MS: '25' }, ['--listen', '127.0.0.1:0']));
    expect(profile).toBe('fixed');
    expect(Object.values(legacy).every((on) => !on)).toBe(true);
  });

  it('turns on every legacy knob with the legacy profile, and each knob can be set on its own', () => {
    const all = loadLegacyConfig({ ...required, PROXY_PROFILE: 'legacy' }, ['--legacy-drop-query', 'false']);
    expect(all.legacy).toEqual({ singleAddress: true, noTimeouts: true, passThroughUpgrade: true, dropQuery: false, hostRewrite: true, noVsdaStubs: true, singleReadReplies: true });
    const one = loadLegacyConfig({ ...required, LEGACY_HOST_REWRITE: '1' }, ['--legacy-no-timeouts']);
    expect(one.legacy).toEqual({ singleAddress: false, noTimeouts: true, passThroughUpgrade: false, dropQuery: false, hostRewrite: true, noVsdaStubs: false, singleReadReplies: false });
  });

  it('refuses an unknown profile', () => {
    expect(() => loadLegacyConfig(required, ['--profile', 'broken'])).toThrow(/fixed or legacy/);
  });

  it('--help lists the product options and the knobs', () => {
    const text = legacyHelpText();
    for (const spec of [...optionSpecs, ...legacyOptionSpecs]) expect(text).toContain(spec.env);
  });
});
