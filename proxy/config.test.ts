import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, defaultConfig, helpText, loadConfig, maxDeadlineMs, optionSpecs, redactUrl } from './config.ts';
import { shownDefault } from './options.ts';

const required = { UPSTREAM_URL: 'http://100.84.184.84:8888' };

describe('loadConfig', () => {
  it('uses Cloud Run defaults: PORT, socks5h://localhost:1055', () => {
    const config = loadConfig({ ...required, PORT: '9090' }, []);
    expect(config.listen).toBe('0.0.0.0:9090');
    expect(config.socksUrl).toBe('socks5h://localhost:1055');
    expect(config.socksConnectReplyTimeoutMs).toBeGreaterThan(5000); // above tailscaled's dial budget
    expect(config).toEqual({ ...defaultConfig('9090'), upstreamUrl: required.UPSTREAM_URL });
  });

  it('reads every setting from the environment and lets a flag win over it', () => {
    const config = loadConfig({ ...required, SOCKS5_PROXY: 'socks5://127.0.0.1:1', SOCKS_GREETING_TIMEOUT_MS: '15' }, ['--socks', 'socks5h://[::1]:1055', '--socks-greeting-timeout-ms=25', '--listen', '127.0.0.1:0']);
    expect(config.socksUrl).toBe('socks5h://[::1]:1055');
    expect(config.socksGreetingTimeoutMs).toBe(25);
    expect(config.listen).toBe('127.0.0.1:0');
  });

  it.each([
    [{}, [], /UPSTREAM_URL/],
    [required, ['--socks', 'http://x:1'], /socks5/],
    [required, ['--socks', 'socks5://localhost'], /port/],
    [required, ['--socks-connect-timeout-ms', 'soon'], /whole number/],
    [required, ['--bogus'], /unknown option/],
    [required, ['--code-prefix', '/dev/code'], /CODE_PREFIX/],
    // A port out of range was a RangeError stack from listen(); now a usage error.
    [required, ['--listen', '127.0.0.1:99999'], /port from 0 to 65535/],
    [required, ['--listen', 'nonsense'], /HOST:PORT/],
    // A deadline of 0 used to mean "none" and became a timer of 2^31 − 1 ms; there is no "none" now.
    [required, ['--upgrade-timeout-ms', '0'], /from 1 to 600000/],
    [required, ['--socks-greeting-timeout-ms', String(maxDeadlineMs + 1)], /from 1 to 600000/],
    [required, ['--headers-timeout-ms', '0'], /from 1/],
    [required, ['--max-header-bytes', '10'], /from 1024/],
    [required, ['--headers-timeout-ms', '5000', '--request-timeout-ms', '1000'], /HEADERS_TIMEOUT_MS/],
  ] as const)('rejects %j %j', (env, argv, message) => {
    expect(() => loadConfig(env, [...argv])).toThrow(ConfigError);
    expect(() => loadConfig(env, [...argv])).toThrow(message);
  });

  it('has no legacy option: the product ignores PROXY_PROFILE and LEGACY_* and refuses their flags', () => {
    const config = loadConfig({ ...required, PROXY_PROFILE: 'legacy', LEGACY_PASS_THROUGH_UPGRADE: '1' }, []);
    expect(config).toEqual(loadConfig(required, []));
    expect(() => loadConfig(required, ['--profile', 'legacy'])).toThrow(/unknown option --profile/);
    expect(() => loadConfig(required, ['--legacy-no-timeouts'])).toThrow(/unknown option/);
    expect(optionSpecs.map((s) => `${s.flag} ${s.env}`).join('\n')).not.toMatch(/legacy|profile/i);
  });

  it('never shows a SOCKS password in an error', () => {
    expect(() => loadConfig({ ...required, SOCKS5_PROXY: 'socks5h://u:hunter2@' }, [])).toThrow(/^(?!.*hunter2)/s);
  });

  it('bounds every deadline: none can be turned into "forever"', () => {
    for (const spec of optionSpecs.filter((s) => s.kind === 'ms' && s.key !== 'wsLifetimeMs')) {
      expect(spec.max, spec.key).toBeLessThanOrEqual(2 ** 31 - 1);
      expect(spec.max, spec.key).toBeDefined();
    }
  });
});

describe('helpText', () => {
  it('lists every option with its flag, environment variable and default, and no legacy knob', () => {
    const text = helpText();
    for (const spec of optionSpecs) {
      expect(text).toContain(`--${spec.flag}`);
      expect(text).toContain(spec.env);
      expect(text).toContain(shownDefault(spec));
    }
    expect(text).not.toMatch(/legacy|PROXY_PROFILE/i);
  });
});

describe('the configuration table of proxy/README.md', () => {
  // The README's table drifted from the code before (defaults written three times); it is checked against optionSpecs, row by row.
  it('has exactly the rows of optionSpecs, with their defaults and bounds', () => {
    const readme = readFileSync(new URL('./README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('\n## ', readme.indexOf('## Configuration') + 1));
    const rows = section.split('\n').filter((line) => /^\| `--/.test(line));
    expect(rows.map((row) => /^\| `--([a-z-]+)`/.exec(row)?.[1])).toEqual(optionSpecs.map((s) => s.flag));
    for (const [i, spec] of optionSpecs.entries()) {
      const cells = (rows[i] ?? '').split('|').map((c) => c.trim());
      expect(cells[2], spec.key).toBe(`\`${spec.env}\``);
      expect(cells[3], spec.key).toBe(`\`${shownDefault(spec)}\``);
      if (spec.min !== undefined || spec.max !== undefined) expect(cells[4], spec.key).toContain(`${spec.min ?? 0}–${spec.max}`);
    }
  });
});

describe('redactUrl', () => {
  it('hides the password and keeps the user', () => {
    expect(redactUrl('socks5h://alice:s3cret@localhost:1055')).toBe('socks5h://alice:***@localhost:1055');
    expect(redactUrl('socks5h://localhost:1055')).toBe('socks5h://localhost:1055');
  });
});
