// Configuration like a Cloud Run service: every setting is an environment variable and a flag of
// the same name (flag wins), with a default sized for Cloud Run. The `legacy` profile turns on the
// seed notes' original choices, each one a knob that can also be switched on its own, so the
// harness can show each failure next to its fix.

/** The seed notes' original choices; each reproduces one failure of specs/scenarios.md. */
export interface LegacyKnobs {
  /** Dial the SOCKS host as one address (the first the resolver gives), never every address. Scenario `ipv6-only-bind`. */
  singleAddress: boolean;
  /** No deadline on any SOCKS step or on the upstream's 101. Scenarios `blackhole`, `slow-handshake`. */
  noTimeouts: boolean;
  /** Pass the upgrade through as bytes: any failure reaches the browser as 1006. Scenarios `peer-down`, `upstream-drops`, `tunnel-idle`. */
  passThroughUpgrade: boolean;
  /** Drop the WebSocket query string (the reconnectionToken). Scenario `query-dropped`. */
  dropQuery: boolean;
  /** Rewrite Host to the upstream's address but keep the browser's Origin. Scenario `origin-mismatch`. */
  hostRewrite: boolean;
  /** Forward the vsda requests (404 upstream) instead of answering empty 200s. Scenario `vsda-404`. */
  noVsdaStubs: boolean;
  /** Take the first read after each SOCKS request as the whole reply (the seeds' `sock.recv`): a reply in pieces is misparsed. Scenario `truncated-reply-split`. */
  singleReadReplies: boolean;
}

export type Profile = 'fixed' | 'legacy';

export interface ProxyConfig {
  /** Where to listen, `HOST:PORT`. Default `0.0.0.0:$PORT` (Cloud Run), `0.0.0.0:8080` without PORT. */
  listen: string;
  /** SOCKS5 server, `socks5h://[user:pass@]host:port` (names resolved by the proxy, for MagicDNS) or `socks5://` (resolved here). Default `socks5h://localhost:1055`. */
  socksUrl: string;
  /** code-server's base URL on the tailnet, e.g. `http://100.84.184.84:8888`. Required. */
  upstreamUrl: string;
  /** The terminal's WebSocket URL, e.g. `ws://100.84.184.84:7681/ws`. Optional: without it the terminal route closes with 1014. */
  terminalUrl: string;
  /** Path prefix code-server is served under (stripped before forwarding). Default `/dev/code/`. */
  codePrefix: string;
  /** Path of the terminal WebSocket. Default `/dev/ws/terminal`. */
  terminalPath: string;
  /** TCP connect to one SOCKS server address, ms. Default 2000. */
  socksConnectTimeoutMs: number;
  /** SOCKS greeting reply (and RFC 1929 auth reply), ms. Default 2000. */
  socksGreetingTimeoutMs: number;
  /** SOCKS CONNECT reply, ms. Default 8000: above tailscaled's own 5 s dial budget, so its `05 01` arrives first. */
  socksConnectReplyTimeoutMs: number;
  /** Upstream's `101 Switching Protocols` after the tunnel is up, ms. Default 10000. */
  upgradeTimeoutMs: number;
  /** Upstream's HTTP response headers, ms. Default 30000. */
  responseTimeoutMs: number;
  /** A WebSocket's lifetime, ms; it then ends with 1001 so the client reconnects before the platform cuts it. 0 = none. Default 0 (set it below Cloud Run's request timeout). */
  wsLifetimeMs: number;
  /** Concurrent WebSocket sessions; one more is accepted and closed with 1013. Default 10000. */
  maxConnections: number;
  /** Largest WebSocket frame relayed, bytes; a larger one closes the session with 1009. Default 134217728 (128 MiB; the workbench sends ≥ 1 MiB). */
  maxPayloadBytes: number;
  /** Bytes of browser frames queued while the upstream is being dialled before the browser is paused. Default 4194304 (4 MiB). Once both are open, socket buffers give backpressure. */
  highWaterMarkBytes: number;
  /** On shutdown, how long sessions get to finish their closing handshake after 1001, ms. Default 3000. */
  shutdownGraceMs: number;
  /** After the upstream ends TCP without a close frame, how long a browser close frame already on its way is awaited before 1014, ms. Default 100. */
  upstreamEndSettleMs: number;
  /** Path of the upstream HTTP probe done by /readyz. Default `/healthz` (code-server's). */
  readyProbePath: string;
  /** `fixed` (default) or `legacy`: sets every legacy knob at once; a knob set on its own wins. */
  profile: Profile;
  legacy: LegacyKnobs;
  /** One JSON line per request / session on stderr. Default true. */
  accessLog: boolean;
}

interface OptionSpec {
  key: keyof ProxyConfig | `legacy.${keyof LegacyKnobs}`;
  env: string;
  flag: string;
  default: string;
  kind: 'string' | 'ms' | 'int' | 'bool';
  doc: string;
}

const knob = (name: keyof LegacyKnobs, flag: string, doc: string): OptionSpec => ({
  key: `legacy.${name}`,
  env: 'LEGACY_' + flag.toUpperCase().replace(/-/g, '_'),
  flag: `legacy-${flag}`,
  default: '(profile)',
  kind: 'bool',
  doc,
});

/** Every option, in --help order. The single source for parsing, defaults and the help text. */
export const optionSpecs: OptionSpec[] = [
  { key: 'listen', env: 'LISTEN', flag: 'listen', default: '0.0.0.0:$PORT', kind: 'string', doc: 'HOST:PORT to listen on (PORT env: Cloud Run; 8080 without it)' },
  { key: 'socksUrl', env: 'SOCKS5_PROXY', flag: 'socks', default: 'socks5h://localhost:1055', kind: 'string', doc: 'SOCKS5 server URL; socks5h = names resolved by the SOCKS server (MagicDNS); user:pass@ for RFC 1929' },
  { key: 'upstreamUrl', env: 'UPSTREAM_URL', flag: 'upstream', default: '(required)', kind: 'string', doc: 'code-server base URL on the tailnet, e.g. http://100.84.184.84:8888' },
  { key: 'terminalUrl', env: 'TERMINAL_URL', flag: 'terminal', default: '(none)', kind: 'string', doc: 'terminal WebSocket URL, e.g. ws://100.84.184.84:7681/ws' },
  { key: 'codePrefix', env: 'CODE_PREFIX', flag: 'code-prefix', default: '/dev/code/', kind: 'string', doc: 'path prefix code-server is served under' },
  { key: 'terminalPath', env: 'TERMINAL_PATH', flag: 'terminal-path', default: '/dev/ws/terminal', kind: 'string', doc: 'path of the terminal WebSocket' },
  { key: 'socksConnectTimeoutMs', env: 'SOCKS_CONNECT_TIMEOUT_MS', flag: 'socks-connect-timeout-ms', default: '2000', kind: 'ms', doc: 'TCP connect to each SOCKS server address (ms)' },
  { key: 'socksGreetingTimeoutMs', env: 'SOCKS_GREETING_TIMEOUT_MS', flag: 'socks-greeting-timeout-ms', default: '2000', kind: 'ms', doc: 'SOCKS greeting and auth replies (ms)' },
  { key: 'socksConnectReplyTimeoutMs', env: 'SOCKS_CONNECT_REPLY_TIMEOUT_MS', flag: 'socks-connect-reply-timeout-ms', default: '8000', kind: 'ms', doc: 'SOCKS CONNECT reply (ms); above tailscaled\'s 5 s dial budget' },
  { key: 'upgradeTimeoutMs', env: 'UPGRADE_TIMEOUT_MS', flag: 'upgrade-timeout-ms', default: '10000', kind: 'ms', doc: "upstream's 101 once the tunnel is up (ms)" },
  { key: 'responseTimeoutMs', env: 'RESPONSE_TIMEOUT_MS', flag: 'response-timeout-ms', default: '30000', kind: 'ms', doc: "upstream's HTTP response headers (ms)" },
  { key: 'wsLifetimeMs', env: 'WS_LIFETIME_MS', flag: 'ws-lifetime-ms', default: '0', kind: 'ms', doc: 'WebSocket lifetime, then 1001 (ms, 0 = none); set below the Cloud Run request timeout' },
  { key: 'maxConnections', env: 'MAX_CONNECTIONS', flag: 'max-connections', default: '10000', kind: 'int', doc: 'concurrent WebSockets; one more is closed with 1013' },
  { key: 'maxPayloadBytes', env: 'MAX_PAYLOAD_BYTES', flag: 'max-payload-bytes', default: '134217728', kind: 'int', doc: 'largest WebSocket frame relayed (bytes)' },
  { key: 'highWaterMarkBytes', env: 'HIGH_WATER_MARK_BYTES', flag: 'high-water-mark-bytes', default: '4194304', kind: 'int', doc: 'bytes of early frames queued while the upstream is dialled before the browser is paused' },
  { key: 'shutdownGraceMs', env: 'SHUTDOWN_GRACE_MS', flag: 'shutdown-grace-ms', default: '3000', kind: 'ms', doc: 'after 1001 on shutdown, time left for closing handshakes (ms)' },
  { key: 'upstreamEndSettleMs', env: 'UPSTREAM_END_SETTLE_MS', flag: 'upstream-end-settle-ms', default: '100', kind: 'ms', doc: "after the upstream ends without a close frame, wait for the browser's own close before 1014 (ms)" },
  { key: 'readyProbePath', env: 'READY_PROBE_PATH', flag: 'ready-probe-path', default: '/healthz', kind: 'string', doc: 'upstream path /readyz requests through the tunnel' },
  { key: 'accessLog', env: 'ACCESS_LOG', flag: 'access-log', default: 'true', kind: 'bool', doc: 'one JSON line per request / WebSocket session on stderr' },
  { key: 'profile', env: 'PROXY_PROFILE', flag: 'profile', default: 'fixed', kind: 'string', doc: 'fixed | legacy (the seed notes\' choices; each knob below overrides it)' },
  knob('singleAddress', 'single-address', 'dial one SOCKS address only (ipv6-only-bind)'),
  knob('noTimeouts', 'no-timeouts', 'no SOCKS / upgrade deadlines (blackhole, slow-handshake)'),
  knob('passThroughUpgrade', 'pass-through-upgrade', 'relay the upgrade as bytes: failures become 1006'),
  knob('dropQuery', 'drop-query', 'drop the WebSocket query string (query-dropped)'),
  knob('hostRewrite', 'host-rewrite', 'Host = upstream address, Origin kept (origin-mismatch)'),
  knob('noVsdaStubs', 'no-vsda-stubs', 'forward vsda.js / vsda_bg.wasm instead of empty 200s (vsda-404)'),
  knob('singleReadReplies', 'single-read-replies', 'first read after each SOCKS request = the whole reply (truncated-reply-split)'),
];

export class ConfigError extends Error {
  readonly code = 'config.invalid';
}

const legacyAll: LegacyKnobs = { singleAddress: true, noTimeouts: true, passThroughUpgrade: true, dropQuery: true, hostRewrite: true, noVsdaStubs: true, singleReadReplies: true };
const legacyNone: LegacyKnobs = { singleAddress: false, noTimeouts: false, passThroughUpgrade: false, dropQuery: false, hostRewrite: false, noVsdaStubs: false, singleReadReplies: false };

/** The defaults, for a given PORT (Cloud Run sets it; 8080 otherwise). */
export function defaultConfig(port = '8080'): ProxyConfig {
  return {
    listen: `0.0.0.0:${port}`,
    socksUrl: 'socks5h://localhost:1055',
    upstreamUrl: '',
    terminalUrl: '',
    codePrefix: '/dev/code/',
    terminalPath: '/dev/ws/terminal',
    socksConnectTimeoutMs: 2000,
    socksGreetingTimeoutMs: 2000,
    socksConnectReplyTimeoutMs: 8000,
    upgradeTimeoutMs: 10_000,
    responseTimeoutMs: 30_000,
    wsLifetimeMs: 0,
    maxConnections: 10_000,
    maxPayloadBytes: 128 * 1024 * 1024,
    highWaterMarkBytes: 4 * 1024 * 1024,
    shutdownGraceMs: 3000,
    upstreamEndSettleMs: 100,
    readyProbePath: '/healthz',
    profile: 'fixed',
    legacy: { ...legacyNone },
    accessLog: true,
  };
}

/** The knobs a profile turns on. */
export function legacyKnobsFor(profile: Profile): LegacyKnobs {
  return { ...(profile === 'legacy' ? legacyAll : legacyNone) };
}

function parseValue(spec: OptionSpec, raw: string): string | number | boolean {
  if (spec.kind === 'string') return raw;
  if (spec.kind === 'bool') {
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off)$/i.test(raw)) return false;
    throw new ConfigError(`--${spec.flag} / ${spec.env}: expected true or false, got ${JSON.stringify(raw)}`);
  }
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new ConfigError(`--${spec.flag} / ${spec.env}: expected a whole number ≥ 0, got ${JSON.stringify(raw)}`);
  return value;
}

/** Flags as `--name value`, `--name=value`, or a bare `--name` for a boolean. */
function parseArgv(argv: string[]): Map<OptionSpec, string> {
  const found = new Map<OptionSpec, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('--')) throw new ConfigError(`unexpected argument ${JSON.stringify(arg)} (see --help)`);
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    const spec = optionSpecs.find((s) => s.flag === name);
    if (!spec) throw new ConfigError(`unknown option --${name} (see --help)`);
    if (inline !== undefined) found.set(spec, inline);
    else if (spec.kind === 'bool' && (argv[i + 1] === undefined || argv[i + 1]?.startsWith('--'))) found.set(spec, 'true');
    else if (argv[i + 1] === undefined) throw new ConfigError(`--${name} needs a value`);
    else found.set(spec, argv[++i] ?? '');
  }
  return found;
}

/** Environment first, then flags over it; the profile sets the knobs no variable or flag set. */
export function loadConfig(env: Record<string, string | undefined>, argv: string[]): ProxyConfig {
  const config = defaultConfig(env.PORT || '8080');
  const flags = parseArgv(argv);
  const knobsSet: Partial<LegacyKnobs> = {};
  const record = config as unknown as Record<string, unknown>;
  for (const spec of optionSpecs) {
    const raw = flags.get(spec) ?? env[spec.env];
    if (raw === undefined || raw === '') continue;
    const value = parseValue(spec, raw);
    if (spec.key.startsWith('legacy.')) knobsSet[spec.key.slice('legacy.'.length) as keyof LegacyKnobs] = value as boolean;
    else record[spec.key] = value;
  }
  if (config.profile !== 'fixed' && config.profile !== 'legacy') throw new ConfigError(`--profile: expected fixed or legacy, got ${JSON.stringify(config.profile)}`);
  config.legacy = { ...legacyKnobsFor(config.profile), ...knobsSet };
  return validateConfig(config);
}

/** Checks what a typo would otherwise turn into a confusing failure at the first request. */
export function validateConfig(config: ProxyConfig): ProxyConfig {
  if (!config.upstreamUrl) throw new ConfigError('UPSTREAM_URL / --upstream is required (e.g. http://100.84.184.84:8888)');
  const socks = parseUrl(config.socksUrl, 'SOCKS5_PROXY / --socks');
  if (socks.protocol !== 'socks5:' && socks.protocol !== 'socks5h:') throw new ConfigError(`SOCKS5_PROXY: expected socks5:// or socks5h://, got ${socks.protocol}`);
  if (!socks.port) throw new ConfigError('SOCKS5_PROXY: a port is required (tailscaled: 1055)');
  const upstream = parseUrl(config.upstreamUrl, 'UPSTREAM_URL / --upstream');
  if (upstream.protocol !== 'http:') throw new ConfigError(`UPSTREAM_URL: expected http:// (the tailnet encrypts the hop), got ${upstream.protocol}`);
  if (config.terminalUrl) {
    const terminal = parseUrl(config.terminalUrl, 'TERMINAL_URL / --terminal');
    if (terminal.protocol !== 'ws:' && terminal.protocol !== 'http:') throw new ConfigError(`TERMINAL_URL: expected ws://, got ${terminal.protocol}`);
  }
  if (!config.codePrefix.startsWith('/') || !config.codePrefix.endsWith('/')) throw new ConfigError('CODE_PREFIX must start and end with /');
  if (!config.terminalPath.startsWith('/')) throw new ConfigError('TERMINAL_PATH must start with /');
  if (!/^(\[[^\]]+\]|[^:]*):\d+$/.test(config.listen)) throw new ConfigError(`LISTEN: expected HOST:PORT, got ${JSON.stringify(config.listen)}`);
  return config;
}

function parseUrl(raw: string, what: string): URL {
  try {
    return new URL(raw);
  } catch {
    throw new ConfigError(`${what}: not a URL: ${JSON.stringify(redactUrl(raw))}`);
  }
}

/** A URL with its password replaced, for logs: credentials never appear in any output. */
export function redactUrl(raw: string): string {
  return raw.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^/@]*)@/i, (_m, scheme: string, userinfo: string) => {
    const user = userinfo.split(':')[0] ?? '';
    return `${scheme}${user ? user + ':***' : '***'}@`;
  });
}

/** The --help text: every option with its flag, environment variable and default. */
export function helpText(): string {
  const rows = optionSpecs.map((s) => [`--${s.flag}${s.kind === 'bool' ? '' : ' V'}`, s.env, s.default, s.doc]);
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const lines = rows.map((r) => r.map((cell, i) => (i < 3 ? cell.padEnd(widths[i] ?? 0) : cell)).join('  '));
  return [
    'usage: npm run proxy -- --listen HOST:PORT --socks URL --upstream URL [--terminal URL] [options]',
    '',
    'The Cloud Run service: code-server under CODE_PREFIX (HTTP + WebSocket) and the terminal WebSocket,',
    'reached through a SOCKS5 server (tailscaled), with /healthz, /readyz and coded WebSocket closes.',
    'Every option is also an environment variable; a flag wins over the variable.',
    '',
    ['flag'.padEnd(widths[0] ?? 0), 'env'.padEnd(widths[1] ?? 0), 'default'.padEnd(widths[2] ?? 0), 'meaning'].join('  '),
    ...lines,
  ].join('\n');
}
