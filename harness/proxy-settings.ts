// How a scenario and a profile become the proxy's configuration: options for ours in-process,
// environment variables (Cloud Run's names) for a command.
import { optionSpecs } from '../proxy/index.ts';
import { legacyOptionSpecs, type LegacyProxyOptions } from '../proxy/legacy/index.ts';
import { timing } from './scenarios/index.ts';
import type { LegacyKnobs, Profile, Scenario } from './scenarios/index.ts';
import { terminalUrl, upstreamUrl } from './tailnet.ts';

/** The python `extra_headers` TypeError of the seed notes, thrown where our proxy lets one be thrown. */
export class ExtraHeadersTypeError extends TypeError {
  readonly code = 'E_EXTRA_HEADERS';
  constructor() {
    super("create_connection() got an unexpected keyword argument 'extra_headers'");
  }
}

function knobsFor(scenario: Scenario | null, profile: Profile): Partial<LegacyKnobs> {
  if (profile !== 'legacy' || !scenario) return {};
  return Object.fromEntries(scenario.legacyKnobs.map((knob) => [knob, true]));
}

/** Options for our proxy in-process; `legacy` names the knobs the legacy entry (proxy/legacy/) turns on. */
export function proxyOptionsFor(scenario: Scenario | null, profile: Profile, where: { socksUrl: string }): LegacyProxyOptions {
  const tuning = scenario?.proxy?.[profile] ?? {};
  return {
    listen: '127.0.0.1:0',
    socksUrl: where.socksUrl,
    upstreamUrl,
    terminalUrl,
    // The legacy run is the fixed proxy with this row's knobs on, so the failure shown is the row's own.
    legacy: knobsFor(scenario, profile),
    socksConnectTimeoutMs: timing.socksConnectMs,
    socksGreetingTimeoutMs: timing.socksGreetingMs,
    socksConnectReplyTimeoutMs: timing.socksConnectReplyMs,
    upgradeTimeoutMs: timing.upgradeMs,
    responseTimeoutMs: timing.responseMs,
    wsPingIntervalMs: timing.pingIntervalMs,
    shutdownGraceMs: 100,
    ...tuning,
    beforeDial: scenario?.upgradePathThrows
      ? () => {
          throw new ExtraHeadersTypeError();
        }
      : undefined,
  };
}

/** Our proxy's env name for each setting a scenario may change, read off its option tables (the product's and the legacy entry's). */
const envNames: Record<string, string> = Object.fromEntries([...optionSpecs, ...legacyOptionSpecs].map((spec) => [spec.key.replace(/^legacy\./, ''), spec.env]));

/**
 * Cloud Run's four variables, which any proxy reads, plus our proxy's own names for the
 * scenario's knobs and scaled deadlines — so `--proxy-cmd "npm run proxy"` runs the fixed profile,
 * and `--proxy-cmd "npx tsx proxy/legacy/cli.ts"` both (the product reads no LEGACY_* variable).
 */
export function proxyEnvFor(scenario: Scenario | null, profile: Profile, where: { socksUrl: string; port: number }): Record<string, string> {
  const env: Record<string, string> = {
    PORT: String(where.port),
    LISTEN: `127.0.0.1:${where.port}`,
    SOCKS5_PROXY: where.socksUrl,
    UPSTREAM_URL: upstreamUrl,
    TERMINAL_URL: terminalUrl,
    PROXY_PROFILE: 'fixed',
    SOCKS_CONNECT_TIMEOUT_MS: String(timing.socksConnectMs),
    SOCKS_GREETING_TIMEOUT_MS: String(timing.socksGreetingMs),
    SOCKS_CONNECT_REPLY_TIMEOUT_MS: String(timing.socksConnectReplyMs),
    UPGRADE_TIMEOUT_MS: String(timing.upgradeMs),
    RESPONSE_TIMEOUT_MS: String(timing.responseMs),
    WS_PING_INTERVAL_MS: String(timing.pingIntervalMs),
    SHUTDOWN_GRACE_MS: '100',
  };
  const settings: Record<string, unknown> = { ...knobsFor(scenario, profile), ...(scenario?.proxy?.[profile] ?? {}) };
  for (const [key, value] of Object.entries(settings)) {
    const name = envNames[key];
    if (name !== undefined) env[name] = String(value);
  }
  return env;
}
