// The service's configuration, like a Cloud Run service's: every setting is an environment variable
// and a flag of the same meaning (flag wins), with a default sized for Cloud Run. `optionSpecs` is
// the one place a default, a unit or a bound is written: parsing, defaultConfig(), --help and the
// README's table (checked by config.test.ts) all read it.
import { splitHostPort, type HostPort } from '../common/host-port.ts';
import { ConfigError, defaultsOf, maxTimerMs, optionTable, readOptions, type OptionSpec } from './options.ts';

export { ConfigError } from './options.ts';

export interface ProxyConfig {
  /** Where to listen, `HOST:PORT`. Default `0.0.0.0:$PORT` (Cloud Run), `0.0.0.0:8080` without PORT. */
  listen: string;
  /** SOCKS5 server, `socks5h://[user:pass@]host:port` (names resolved by the SOCKS server, for MagicDNS) or `socks5://` (resolved here). */
  socksUrl: string;
  /** code-server's base URL on the tailnet, e.g. `http://100.84.184.84:8888`. Required. */
  upstreamUrl: string;
  /** The terminal's WebSocket URL, e.g. `ws://100.84.184.84:7681/ws`. Optional: without it the terminal route closes with 1014. */
  terminalUrl: string;
  /** Path prefix code-server is served under (stripped before forwarding). */
  codePrefix: string;
  /** Path of the terminal WebSocket. */
  terminalPath: string;
  /** TCP connect to one SOCKS server address, ms. */
  socksConnectTimeoutMs: number;
  /** SOCKS greeting reply (and RFC 1929 auth reply), ms. */
  socksGreetingTimeoutMs: number;
  /** SOCKS CONNECT reply, ms: above tailscaled's own 5 s dial budget, so its `05 01` arrives first. */
  socksConnectReplyTimeoutMs: number;
  /** Upstream's `101 Switching Protocols` after the tunnel is up, ms. */
  upgradeTimeoutMs: number;
  /** Upstream's HTTP response headers, ms. */
  responseTimeoutMs: number;
  /**
   * While a browser's WebSocket waits (answered, its first frames held), a failed tunnel or upgrade
   * is attempted again for this long, ms; 0 = once. Below the workbench's 10 s wait for its first
   * control message, so an upstream reached at the window's end still answers it in time.
   */
  wsRetryWindowMs: number;
  /**
   * Before the browser's upgrade is answered, how long the tunnel and upgrade are attempted, ms;
   * 0 = answer at once. The workbench's 10 s wait for its first control message starts only once
   * its socket is open, so an outage ridden out here costs it no reconnection cycle; then the 101,
   * and the retry window above. Below the reconnection attempt's 30 s limit less that 10 s wait.
   */
  wsUpgradeHoldMs: number;
  /**
   * A workbench WebSocket (VS Code's protocol) whose upstream ends mid-session is kept open this
   * long, ms, while the upstream is tried again; it is closed as soon as a tunnel opens, so the
   * workbench's reconnection, which starts with no pause, lands. 0 = closed at once.
   */
  wsRideOutMs: number;
  /** Meanwhile a VS Code KeepAlive goes to the browser this often, ms: below the workbench's 20 s dead-socket check. */
  wsRideOutKeepAliveMs: number;
  /** The same for an HTTP request that is safe to repeat (GET, HEAD, OPTIONS without a body) whose tunnel could not be opened, ms; 0 = once. */
  httpRetryWindowMs: number;
  /** The longest pause between two attempts of a retry window, ms (the first are an eighth, a quarter, a half of it). */
  retryIntervalMs: number;
  /** A browser's request headers, from its first byte, ms (slow-loris bound). */
  headersTimeoutMs: number;
  /** A browser's whole request (headers and body), ms. */
  requestTimeoutMs: number;
  /** An idle kept-alive connection — a browser's, or a tunnel kept for the next request — ms. */
  keepAliveTimeoutMs: number;
  /** Largest request head a browser may send, bytes (larger → 431). */
  maxHeaderBytes: number;
  /** A WebSocket's lifetime, ms; it then ends with 1001 so the client reconnects before the platform cuts it. 0 = none. */
  wsLifetimeMs: number;
  /** A ping to each browser WebSocket this often, ms, so a hop in front that drops quiet connections sees traffic both ways. 0 = none. */
  wsPingIntervalMs: number;
  /** Concurrent WebSocket sessions; one more is accepted and closed with 1013. */
  maxConnections: number;
  /** Largest WebSocket frame relayed, bytes; a larger one closes the session with 1009. */
  maxPayloadBytes: number;
  /** Bytes of browser frames queued while the upstream is being dialled before the browser is paused. */
  highWaterMarkBytes: number;
  /** On shutdown and after a close frame, how long the closing handshake may take, ms. */
  shutdownGraceMs: number;
  /** After the upstream ends TCP without a close frame, how long a browser close frame already on its way is awaited before 1014, ms. */
  upstreamEndSettleMs: number;
  /** Path of the upstream HTTP probe done by /readyz. */
  readyProbePath: string;
  /** One JSON line per request / session on stderr. */
  accessLog: boolean;
}

/** No step of a connection may wait longer than this, whatever is configured: a deadline is never "forever". */
export const maxDeadlineMs = 600_000;

const deadline = (key: keyof ProxyConfig, env: string, flag: string, ms: number, doc: string): OptionSpec<keyof ProxyConfig> => ({ key, env, flag, kind: 'ms', default: ms, min: 1, max: maxDeadlineMs, doc });

/** Every option, in --help order. */
export const optionSpecs: readonly OptionSpec<keyof ProxyConfig>[] = [
  { key: 'listen', env: 'LISTEN', flag: 'listen', kind: 'string', default: '', shown: '0.0.0.0:$PORT', doc: 'HOST:PORT to listen on (PORT env: Cloud Run; 8080 without it)' },
  { key: 'socksUrl', env: 'SOCKS5_PROXY', flag: 'socks', kind: 'string', default: 'socks5h://localhost:1055', doc: 'SOCKS5 server URL; socks5h = names resolved by the SOCKS server (MagicDNS); user:pass@ for RFC 1929' },
  { key: 'upstreamUrl', env: 'UPSTREAM_URL', flag: 'upstream', kind: 'string', default: '', shown: '(required)', doc: 'code-server base URL on the tailnet, e.g. http://100.84.184.84:8888' },
  { key: 'terminalUrl', env: 'TERMINAL_URL', flag: 'terminal', kind: 'string', default: '', shown: '(none)', doc: 'terminal WebSocket URL, e.g. ws://100.84.184.84:7681/ws' },
  { key: 'codePrefix', env: 'CODE_PREFIX', flag: 'code-prefix', kind: 'string', default: '/dev/code/', doc: 'path prefix code-server is served under' },
  { key: 'terminalPath', env: 'TERMINAL_PATH', flag: 'terminal-path', kind: 'string', default: '/dev/ws/terminal', doc: 'path of the terminal WebSocket' },
  deadline('socksConnectTimeoutMs', 'SOCKS_CONNECT_TIMEOUT_MS', 'socks-connect-timeout-ms', 2000, 'TCP connect to each SOCKS server address (ms)'),
  deadline('socksGreetingTimeoutMs', 'SOCKS_GREETING_TIMEOUT_MS', 'socks-greeting-timeout-ms', 2000, 'SOCKS greeting and auth replies (ms)'),
  deadline('socksConnectReplyTimeoutMs', 'SOCKS_CONNECT_REPLY_TIMEOUT_MS', 'socks-connect-reply-timeout-ms', 8000, "SOCKS CONNECT reply (ms); above tailscaled's 5 s dial budget"),
  deadline('upgradeTimeoutMs', 'UPGRADE_TIMEOUT_MS', 'upgrade-timeout-ms', 10_000, "upstream's 101 once the tunnel is up (ms)"),
  deadline('responseTimeoutMs', 'RESPONSE_TIMEOUT_MS', 'response-timeout-ms', 30_000, "upstream's HTTP response headers (ms)"),
  { key: 'wsRetryWindowMs', env: 'WS_RETRY_WINDOW_MS', flag: 'ws-retry-window-ms', kind: 'ms', default: 7000, min: 0, max: maxDeadlineMs, doc: "a WebSocket's tunnel and upgrade are tried again for this long while the browser waits (ms, 0 = once); below the workbench's 10 s handshake wait" },
  { key: 'wsUpgradeHoldMs', env: 'WS_UPGRADE_HOLD_MS', flag: 'ws-upgrade-hold-ms', kind: 'ms', default: 10_000, min: 0, max: maxDeadlineMs, doc: "a WebSocket's upgrade is held unanswered this long while its tunnel and upgrade are tried (ms, 0 = answer at once), then the retry window runs; below the workbench's 30 s reconnection limit less its 10 s handshake wait" },
  { key: 'wsRideOutMs', env: 'WS_RIDE_OUT_MS', flag: 'ws-ride-out-ms', kind: 'ms', default: 300_000, min: 0, max: maxTimerMs, doc: "a workbench WebSocket whose upstream ends is kept open this long while the upstream is tried again, and closed (1014) as soon as it answers, so the workbench reconnects at once (ms, 0 = close at once)" },
  { key: 'wsRideOutKeepAliveMs', env: 'WS_RIDE_OUT_KEEPALIVE_MS', flag: 'ws-ride-out-keepalive-ms', kind: 'ms', default: 5000, min: 1, max: 19_000, doc: "while a workbench WebSocket is kept open, a VS Code KeepAlive message to the browser this often (ms); below the workbench's 20 s dead-socket timeout" },
  { key: 'httpRetryWindowMs', env: 'HTTP_RETRY_WINDOW_MS', flag: 'http-retry-window-ms', kind: 'ms', default: 3000, min: 0, max: maxDeadlineMs, doc: 'a GET/HEAD/OPTIONS without a body whose tunnel failed is tried again for this long (ms, 0 = once)' },
  { key: 'retryIntervalMs', env: 'RETRY_INTERVAL_MS', flag: 'retry-interval-ms', kind: 'ms', default: 500, min: 1, max: 60_000, doc: 'longest pause between two attempts of a retry window (ms); the first are 1/8, 1/4, 1/2 of it' },
  deadline('headersTimeoutMs', 'HEADERS_TIMEOUT_MS', 'headers-timeout-ms', 10_000, "a browser's request headers, from their first byte (ms); a slower client is closed (408) within a quarter more, at most 1 s more"),
  { key: 'requestTimeoutMs', env: 'REQUEST_TIMEOUT_MS', flag: 'request-timeout-ms', kind: 'ms', default: 3_600_000, min: 1, max: maxTimerMs, doc: "a browser's whole request, body included (ms); Cloud Run's longest request timeout" },
  deadline('keepAliveTimeoutMs', 'KEEP_ALIVE_TIMEOUT_MS', 'keep-alive-timeout-ms', 5000, 'an idle kept-alive connection: a browser\'s, or a tunnel kept for the next request (ms)'),
  { key: 'maxHeaderBytes', env: 'MAX_HEADER_BYTES', flag: 'max-header-bytes', kind: 'int', default: 16_384, min: 1024, max: 1_048_576, doc: 'largest request head a browser may send (bytes); larger → 431' },
  { key: 'wsLifetimeMs', env: 'WS_LIFETIME_MS', flag: 'ws-lifetime-ms', kind: 'ms', default: 0, min: 0, max: maxTimerMs, doc: 'WebSocket lifetime, then 1001 (ms, 0 = none); set below the Cloud Run request timeout' },
  { key: 'wsPingIntervalMs', env: 'WS_PING_INTERVAL_MS', flag: 'ws-ping-interval-ms', kind: 'ms', default: 25_000, min: 0, max: maxDeadlineMs, doc: "ping a browser WebSocket once it has been quiet either way for this long (ms, 0 = never); below the idle timeout of any hop in front (nginx, ALB: 60 s; HAProxy: often 50 s)" },
  { key: 'maxConnections', env: 'MAX_CONNECTIONS', flag: 'max-connections', kind: 'int', default: 10_000, min: 1, max: 1_000_000, doc: 'concurrent WebSockets; one more is closed with 1013' },
  { key: 'maxPayloadBytes', env: 'MAX_PAYLOAD_BYTES', flag: 'max-payload-bytes', kind: 'int', default: 134_217_728, min: 125, max: 1_073_741_824, doc: 'largest WebSocket frame relayed (bytes); larger → 1009' },
  { key: 'highWaterMarkBytes', env: 'HIGH_WATER_MARK_BYTES', flag: 'high-water-mark-bytes', kind: 'int', default: 4_194_304, min: 1024, max: 1_073_741_824, doc: 'bytes of early frames queued while the upstream is dialled before the browser is paused' },
  { key: 'shutdownGraceMs', env: 'SHUTDOWN_GRACE_MS', flag: 'shutdown-grace-ms', kind: 'ms', default: 3000, min: 0, max: maxDeadlineMs, doc: 'closing handshakes after a close frame or on shutdown (ms)' },
  { key: 'upstreamEndSettleMs', env: 'UPSTREAM_END_SETTLE_MS', flag: 'upstream-end-settle-ms', kind: 'ms', default: 100, min: 0, max: 60_000, doc: "after the upstream ends without a close frame, wait for the browser's own close before 1014 (ms)" },
  { key: 'readyProbePath', env: 'READY_PROBE_PATH', flag: 'ready-probe-path', kind: 'string', default: '/healthz', doc: 'upstream path /readyz requests through the tunnel' },
  { key: 'accessLog', env: 'ACCESS_LOG', flag: 'access-log', kind: 'bool', default: true, doc: 'one JSON line per request / WebSocket session on stderr' },
];

/** The defaults; `listen` follows PORT (Cloud Run sets it; 8080 otherwise). */
export function defaultConfig(port = '8080'): ProxyConfig {
  return { ...(defaultsOf(optionSpecs) as unknown as ProxyConfig), listen: `0.0.0.0:${port}` };
}

/** Environment first, then flags over it; then checked. */
export function loadConfig(env: Record<string, string | undefined>, argv: readonly string[]): ProxyConfig {
  return configFrom(readOptions(optionSpecs, env, argv), env);
}

/** A config from the product's rows of a parsed table (an entry point with more rows passes them all). */
export function configFrom(values: Record<string, unknown>, env: Record<string, string | undefined>): ProxyConfig {
  const config = Object.fromEntries(optionSpecs.map((spec) => [spec.key, values[spec.key]])) as unknown as ProxyConfig;
  config.listen ||= `0.0.0.0:${env.PORT || '8080'}`;
  return validateConfig(config);
}

/** Checks what a typo would otherwise turn into a confusing failure at the first request. */
/** LISTEN as the host and port to listen on; an empty host is every IPv4 interface. */
export function listenAddress(listen: string): HostPort {
  const address = splitHostPort(listen);
  if (!address) throw new ConfigError(`LISTEN / --listen: expected HOST:PORT with a port from 0 to 65535, got ${JSON.stringify(listen)}`);
  return { host: address.host || '0.0.0.0', port: address.port };
}

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
  listenAddress(config.listen);
  if (config.headersTimeoutMs > config.requestTimeoutMs) throw new ConfigError('HEADERS_TIMEOUT_MS must not be above REQUEST_TIMEOUT_MS (the headers are part of the request)');
  for (const spec of optionSpecs) {
    const value = config[spec.key];
    if (typeof value !== 'number') continue;
    if (!Number.isSafeInteger(value) || value < (spec.min ?? 0) || value > (spec.max ?? Number.MAX_SAFE_INTEGER)) {
      throw new ConfigError(`${spec.env} / --${spec.flag}: expected a whole number from ${spec.min ?? 0} to ${spec.max}, got ${value}`);
    }
  }
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

/** The --help text: what the service is, then every option with its flag, variable, default and bounds. */
export function helpText(usage = 'usage: proxy --listen HOST:PORT --socks URL --upstream URL [--terminal URL] [options]', specs: readonly OptionSpec[] = optionSpecs): string {
  return [
    usage,
    '',
    'The Cloud Run service: code-server under CODE_PREFIX (HTTP + WebSocket) and the terminal WebSocket,',
    'reached through a SOCKS5 server (tailscaled), with /healthz, /readyz and coded WebSocket closes.',
    'Every option is also an environment variable; a flag wins over the variable.',
    '',
    ...optionTable(specs),
  ].join('\n');
}
