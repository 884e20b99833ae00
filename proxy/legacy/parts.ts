// Each knob as a replacement for one of the product's parts (../server.ts ProxyParts), or as a
// setting: the product itself has no branch for any of them.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { maxDeadlineMs, type ProxyConfig } from '../config.ts';
import { upstreamRequestHeaders, type UpstreamHeaders } from '../http/headers.ts';
import { routeFor, type Router } from '../routes.ts';
import { productParts, type ProxyHooks, type ProxyParts } from '../server.ts';
import { bareHost, resolveFailed } from '../socks/address.ts';
import { SocksDialer, type SocksDialerOptions } from '../socks/dial.ts';
import type { LegacyKnobs } from './knobs.ts';
import { PassThroughBridge } from './passthrough.ts';
import { SingleReadSocksDialer } from './single-read.ts';

/** `noTimeouts`: every SOCKS and upstream deadline at the longest the product accepts (it has no "none"). */
export function withKnobSettings(config: ProxyConfig, knobs: LegacyKnobs): ProxyConfig {
  if (!knobs.noTimeouts) return config;
  return { ...config, socksConnectTimeoutMs: maxDeadlineMs, socksGreetingTimeoutMs: maxDeadlineMs, socksConnectReplyTimeoutMs: maxDeadlineMs, upgradeTimeoutMs: maxDeadlineMs, responseTimeoutMs: maxDeadlineMs };
}

export function legacyParts(config: ProxyConfig, hooks: ProxyHooks, knobs: LegacyKnobs): ProxyParts {
  const dialerOptions: SocksDialerOptions = {
    socksUrl: config.socksUrl,
    connectTimeoutMs: config.socksConnectTimeoutMs,
    greetingTimeoutMs: config.socksGreetingTimeoutMs,
    connectReplyTimeoutMs: config.socksConnectReplyTimeoutMs,
    ...(knobs.singleAddress ? { serverAddresses: firstAddress } : {}),
  };
  const parts = productParts(config, hooks, {
    dialer: knobs.singleReadReplies ? new SingleReadSocksDialer(dialerOptions) : new SocksDialer(dialerOptions),
    route: legacyRouter(config, knobs),
    upstreamHeaders: knobs.hostRewrite ? hostRewriteHeaders : upstreamRequestHeaders,
  });
  return knobs.passThroughUpgrade ? { ...parts, bridge: new PassThroughBridge(parts) } : parts;
}

/** `singleAddress`: the resolver's first answer only (or the literal as given) — what fails in `ipv6-only-bind`. */
export async function firstAddress(host: string): Promise<string[]> {
  const name = bareHost(host);
  if (isIP(name)) return [name];
  try {
    return [(await lookup(name)).address];
  } catch (error) {
    throw resolveFailed(name, error);
  }
}

/** `dropQuery` (WebSocket targets lose their query) and `noVsdaStubs` (the vsda files go to code-server's 404). */
export function legacyRouter(config: ProxyConfig, knobs: LegacyKnobs): Router {
  return (rawTarget, isUpgrade) => {
    const route = routeFor(rawTarget, config);
    if (knobs.noVsdaStubs && route.kind === 'vsda') return { kind: 'code', target: route.target };
    if (knobs.dropQuery && isUpgrade && (route.kind === 'code' || route.kind === 'terminal')) return { ...route, target: route.target.replace(/\?.*$/s, '') };
    return route;
  };
}

/** `hostRewrite`: Host becomes the upstream's address while Origin stays the browser's → code-server's 403. */
const hostRewriteHeaders: UpstreamHeaders = (req, upstreamHost) => {
  const headers = upstreamRequestHeaders(req, upstreamHost);
  headers.host = upstreamHost;
  delete headers['x-forwarded-host'];
  return headers;
};
