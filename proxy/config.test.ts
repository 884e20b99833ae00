import { describe, expect, it } from 'vitest';
import { ConfigError, helpText, loadConfig, optionSpecs, redactUrl } from './config.ts';

const required = { UPSTREAM_URL: 'http://100.84.184.84:8888' };

describe('loadConfig', () => {
  it('uses Cloud Run defaults: PORT, socks5h://localhost:1055, the fixed profile', () => {
    const config = loadConfig({ ...required, PORT: '9090' }, []);
    expect(config.listen).toBe('0.0.0.0:9090');
    expect(config.socksUrl).toBe('socks5h://localhost:1055');
    expect(config.profile).toBe('fixed');
    expect(Object.values(config.legacy).every((on) => !on)).toBe(true);
    expect(config.socksConnectReplyTimeoutMs).toBeGreaterThan(5000); // above tailscaled's dial budget
  });

  it('reads every setting from the environment and lets a flag win over it', () => {
    const config = loadConfig({ ...required, SOCKS5_PROXY: 'socks5://127.0.0.1:1', SOCKS_GREETING_TIMEOUT_MS: '15' }, ['--socks', 'socks5h://[::1]:1055', '--socks-greeting-timeout-ms=25', '--listen', '127.0.0.1:0']);
    expect(config.socksUrl).toBe('socks5h://[::1]:1055');
    expect(config.socksGreetingTimeoutMs).toBe(25);
    expect(config.listen).toBe('127.0.0.1:0');
  });

  it('turns on every legacy knob with the legacy profile, and each knob can be set on its own', () => {
    const legacy = loadConfig({ ...required, PROXY_PROFILE: 'legacy' }, ['--legacy-drop-query', 'false']);
    expect(legacy.legacy).toEqual({ singleAddress: true, noTimeouts: true, passThroughUpgrade: true, dropQuery: false, hostRewrite: true, noVsdaStubs: true, singleReadReplies: true });
    const one = loadConfig({ ...required, LEGACY_HOST_REWRITE: '1' }, ['--legacy-no-timeouts']);
    expect(one.legacy).toEqual({ singleAddress: false, noTimeouts: true, passThroughUpgrade: false, dropQuery: false, hostRewrite: true, noVsdaStubs: false, singleReadReplies: false });
  });

  it.each([
    [{}, [], /UPSTREAM_URL/],
    [required, ['--socks', 'http://x:1'], /socks5/],
    [required, ['--socks', 'socks5://localhost'], /port/],
    [required, ['--socks-connect-timeout-ms', 'soon'], /whole number/],
    [required, ['--bogus'], /unknown option/],
    [required, ['--profile', 'broken'], /fixed or legacy/],
    [required, ['--code-prefix', '/dev/code'], /CODE_PREFIX/],
  ] as const)('rejects %j %j', (env, argv, message) => {
    expect(() => loadConfig(env, [...argv])).toThrow(ConfigError);
    expect(() => loadConfig(env, [...argv])).toThrow(message);
  });

  it('never shows a SOCKS password in an error', () => {
    expect(() => loadConfig({ ...required, SOCKS5_PROXY: 'socks5h://u:hunter2@' }, [])).toThrow(/^(?!.*hunter2)/s);
  });
});

describe('helpText', () => {
  it('lists every option with its flag, environment variable and default', () => {
    const text = helpText();
    for (const spec of optionSpecs) {
      expect(text).toContain(`--${spec.flag}`);
      expect(text).toContain(spec.env);
      expect(text).toContain(spec.default);
    }
  });
});

describe('redactUrl', () => {
  it('hides the password and keeps the user', () => {
    expect(redactUrl('socks5h://alice:s3cret@localhost:1055')).toBe('socks5h://alice:***@localhost:1055');
    expect(redactUrl('socks5h://localhost:1055')).toBe('socks5h://localhost:1055');
  });
});
