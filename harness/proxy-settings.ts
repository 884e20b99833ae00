// How a scenario and a variant (fixed, or legacy: the row's own knobs) become the proxy's configuration: options for ours in-process,
// environment variables (Cloud Run's names) for a command.
import { optionSpecs } from '../proxy/index.ts';
import { legacyOptionSpecs, type LegacyProxyOptions } from '../proxy/legacy/index.ts';
import { timing } from './scenarios/index.ts';
import type { LegacyKnobs, Variant, ProxyTuning, Scenario } from './scenarios/index.ts';
import { terminalUrl, upstreamUrl } from './tailnet.ts';

/** The python `extra_headers` TypeError of the seed notes, thrown where our proxy lets one be thrown. */
export class ExtraHeadersTypeError extends TypeError {
  readonly code = 'legacy.extra_headers';
  constructor() {
    super("create_connection() got an unexpected keyword argument 'extra_headers'");
  }
}

function knobsFor(scenario: Scenario | null, variant: Variant): Partial<LegacyKnobs> {
  if (variant !== 'legacy' || !scenario) return {};
  return Object.fromEntries(scenario.legacyKnobs.map((knob) => [knob, true]));
}

/** The proxy's deadlines scaled to the mock tailnet's ms (timing.ts); a real code-server runs the production ones. */
const scaledDeadlines = {
  socksConnectTimeoutMs: timing.socksConnectMs,
  socksGreetingTimeoutMs: timing.socksGreetingMs,
  socksConnectReplyTimeoutMs: timing.socksConnectReplyMs,
  upgradeTimeoutMs: timing.upgradeMs,
  responseTimeoutMs: timing.responseMs,
  wsRetryWindowMs: timing.wsRetryWindowMs,
  httpRetryWindowMs: timing.httpRetryWindowMs,
  retryIntervalMs: timing.retryIntervalMs,
  wsPingIntervalMs: timing.pingIntervalMs,
};

/** Options for our proxy in-process; `legacy` names the knobs the legacy entry (proxy/legacy/) turns on. */
export function proxyOptionsFor(scenario: Scenario | null, variant: Variant, where: { socksUrl: string; scaled?: boolean; tuning?: ProxyTuning }): LegacyProxyOptions {
  const tuning = { ...scenario?.proxy?.[variant], ...where.tuning };
  return {
    listen: '127.0.0.1:0',
    socksUrl: where.socksUrl,
    upstreamUrl,
    terminalUrl,
    // The legacy run is the fixed proxy with this row's knobs on, so the failure shown is the row's own.
    legacy: knobsFor(scenario, variant),
    ...(where.scaled === false ? {} : scaledDeadlines),
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
 * scenario's knobs and scaled deadlines — so `--proxy-cmd "npm run proxy"` runs the fixed variant,
 * and `--proxy-cmd "npx tsx proxy/legacy/cli.ts"` both (the product reads no LEGACY_* variable).
 */
export function proxyEnvFor(scenario: Scenario | null, variant: Variant, where: { socksUrl: string; port: number; scaled?: boolean; tuning?: ProxyTuning }): Record<string, string> {
  const env: Record<string, string> = {
    PORT: String(where.port),
    LISTEN: `127.0.0.1:${where.port}`,
    SOCKS5_PROXY: where.socksUrl,
    UPSTREAM_URL: upstreamUrl,
    TERMINAL_URL: terminalUrl,
    PROXY_PROFILE: 'fixed',
    SHUTDOWN_GRACE_MS: '100',
  };
  const settings: Record<string, unknown> = { ...(where.scaled === false ? {} : scaledDeadlines), ...knobsFor(scenario, variant), ...scenario?.proxy?.[variant], ...where.tuning };
  for (const [key, value] of Object.entries(settings)) {
    const name = envNames[key];
    if (name !== undefined) env[name] = String(value);
  }
  return env;
}
