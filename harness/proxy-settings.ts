// How a scenario and a variant become the proxy's configuration: options for ours in-process,
// environment variables (Cloud Run's names) for a command.
import { optionSpecs, type ProxyConfig } from '../proxy/index.ts';
import { legacyOptionSpecs, type LegacyProxyOptions } from '../proxy/legacy/index.ts';
import { timing } from './scenarios/index.ts';
import type { LegacyKnobs, Variant, ProxyTuning, Scenario } from './scenarios/index.ts';
import { terminalUrl, upstreamUrl } from './tailnet.ts';

/** The python `extra_headers` TypeError of the seed notes, thrown where our proxy lets one be thrown. */
export class ExtraHeadersTypeError extends TypeError {
  readonly code = 'E_EXTRA_HEADERS';
  constructor() {
    super("create_connection() got an unexpected keyword argument 'extra_headers'");
  }
}

function knobsFor(scenario: Scenario | null, variant: Variant): Partial<LegacyKnobs> {
  if (variant !== 'legacy' || !scenario) return {};
  return Object.fromEntries(scenario.legacyKnobs.map((knob) => [knob, true]));
}

/** The proxy's deadlines scaled to the mock tailnet's ms (timing.ts); a real code-server runs the production ones. */
const scaledDeadlines: Partial<ProxyConfig> = {
  socksConnectTimeoutMs: timing.socksConnectMs,
  socksGreetingTimeoutMs: timing.socksGreetingMs,
  socksConnectReplyTimeoutMs: timing.socksConnectReplyMs,
  upgradeTimeoutMs: timing.upgradeMs,
  responseTimeoutMs: timing.responseMs,
  wsRetryWindowMs: timing.wsRetryWindowMs,
  wsUpgradeHoldMs: timing.wsUpgradeHoldMs,
  wsRideOutMs: timing.wsRideOutMs,
  wsRideOutKeepAliveMs: timing.wsRideOutKeepAliveMs,
  httpRetryWindowMs: timing.httpRetryWindowMs,
  retryIntervalMs: timing.retryIntervalMs,
  wsPingIntervalMs: timing.pingIntervalMs,
};

interface Where {
  socksUrl: string;
  /** false: a real code-server, which runs in real time, so the proxy keeps its production deadlines. */
  scaled?: boolean;
  /** Settings over the row's (a variation on it). */
  tuning?: ProxyTuning;
}

/** Every setting a run gives our proxy, by option key — composed here once, for options and variables alike. */
function settingsFor(scenario: Scenario | null, variant: Variant, where: Where): Partial<ProxyConfig> {
  return {
    ...(where.scaled === false ? {} : scaledDeadlines),
    shutdownGraceMs: 100,
    ...scenario?.proxy?.[variant],
    ...where.tuning,
  };
}

/** Options for our proxy in-process; `legacy` names the knobs the legacy entry (proxy/legacy/) turns on. */
export function proxyOptionsFor(scenario: Scenario | null, variant: Variant, where: Where): LegacyProxyOptions {
  return {
    listen: '127.0.0.1:0',
    socksUrl: where.socksUrl,
    upstreamUrl,
    terminalUrl,
    // The legacy run is the fixed proxy with this row's knobs on, so the failure shown is the row's own.
    legacy: knobsFor(scenario, variant),
    ...settingsFor(scenario, variant, where),
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
 * scenario's knobs and scaled deadlines — so `--proxy-cmd "npm run proxy"` runs the fixed variant,
 * and `--proxy-cmd "npx tsx proxy/legacy/cli.ts"` both (the product reads no LEGACY_* variable).
 */
export function proxyEnvFor(scenario: Scenario | null, variant: Variant, where: Where & { port: number }): Record<string, string> {
  const env: Record<string, string> = {
    PORT: String(where.port),
    LISTEN: `127.0.0.1:${where.port}`,
    SOCKS5_PROXY: where.socksUrl,
    UPSTREAM_URL: upstreamUrl,
    TERMINAL_URL: terminalUrl,
    PROXY_PROFILE: 'fixed',
  };
  for (const [key, value] of Object.entries({ ...settingsFor(scenario, variant, where), ...knobsFor(scenario, variant) })) {
    const name = envNames[key];
    if (name !== undefined) env[name] = String(value);
  }
  return env;
}
