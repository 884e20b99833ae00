// A failing step's diagnosis: the catalog row it matches (harness/scenarios), what the browser
// shows — the row's own words for a proxy that passes failures through and for this project's
// proxy — and what to change. Only the fix is the doctor's; the rest comes from the catalog.
import { scenarioById } from '../scenarios/index.ts';
import type { Diagnosis } from './types.ts';

/** What to change, per catalog row, in the terms of someone running a real deployment. */
const fixes: Record<string, string> = {
  'ipv6-only-bind':
    'point the client at socks5h://localhost:PORT and let it try every address of the name (RFC 6761: localhost is 127.0.0.1 and ::1, whatever /etc/hosts says), or make the SOCKS server listen where the client dials',
  'ipv4-only-bind':
    'point the client at socks5h://localhost:PORT and let it try every address of the name (Node: autoSelectFamily; this project\'s proxy does), or start tailscaled with --socks5-server=[::1]:PORT if the client only dials ::1',
  'port-probe-health':
    'check health with a SOCKS greeting and a CONNECT to the upstream (this doctor, or the proxy\'s /readyz), never with a bare TCP connect',
  'not-socks':
    'start tailscaled with --socks5-server=localhost:PORT (TS_SOCKS5_SERVER in containers) before the app, and make sure nothing else holds the port',
  'slow-handshake':
    'give each SOCKS step a deadline that ends in a close frame, and find what stalls the SOCKS server (on Cloud Run, CPU is throttled outside requests unless "CPU always allocated" is on)',
  blackhole:
    'find what holds the SOCKS port (ss -ltnp) and restart tailscaled; give each SOCKS step a deadline so clients fail fast instead of hanging',
  'truncated-reply-split':
    'read SOCKS replies by their length (the npm socks client, python-socks and curl do); a hand-written client that takes one recv() for a whole reply misparses them',
  'truncated-reply-close': 'restart the SOCKS server; a client should report the reply as cut short (got N of M bytes) rather than a generic failure',
  'peer-down':
    'the peer does not answer this node: run `tailscale status` and `tailscale ping PEER` where the proxy runs, check the machine is on and the ACLs let this node reach the port',
  'peer-refuses':
    'the peer answered but refused the port: make code-server listen on that port on an address the tailnet reaches (0.0.0.0 or the tailnet IP, not 127.0.0.1)',
  'tailnet-not-ready':
    'tailscaled was still logging in: wait for `tailscale status` to report Running before serving, and let clients retry (the workbench reconnects by itself)',
  'upstream-drops': 'look at code-server on the peer (restarts, crashes, limits) and at anything between that ends connections; a proxy must turn the end into a close frame',
  'socks-reset': 'look for `from backend to client` / `from client to backend` lines in tailscaled\'s log and at the peer; a proxy must turn the reset into a close frame',
  'tunnel-idle':
    'the tunnel is up but nothing came back through it: check what listens on the upstream port, and give the proxy\'s upgrade path a deadline and an error path that closes with 1011',
  'origin-mismatch': 'keep Origin and Host consistent (forward the browser\'s Host, or set X-Forwarded-Host): code-server refuses an upgrade whose Origin is not the request\'s host',
  'vsda-404': 'serve vsda.js and vsda_bg.wasm as empty 200s from the proxy: every open-source build 404s them',
  'query-dropped': 'forward the WebSocket URL\'s query string byte for byte: reconnectionToken and reconnection are in it',
  'large-messages': 'raise every hop\'s message size limit (python websockets max_size defaults to 1 MiB); the extension host sends more',
  'request-timeout': 'close WebSockets with 1001 before the platform\'s request timeout (the proxy\'s WS_LIFETIME_MS) so the workbench reconnects with its token',
  terminal: 'check the terminal\'s WebSocket URL and that the terminal server accepts the proxy\'s Origin',
};

/** A diagnosis for a catalog row, with this run's cause; `fix` overrides the row's usual fix. */
export function diagnose(scenario: string, cause: string, fix?: string): Diagnosis {
  const row = scenarioById(scenario);
  return {
    scenario,
    cause,
    browser: `with a proxy that passes failures through: ${row.expect.legacy.says}; with this project's proxy: ${row.expect.fixed.says}`,
    fix: fix ?? fixes[scenario] ?? row.wrong,
  };
}

/** A diagnosis outside the catalog (a name that does not resolve, a 404 where code-server should be). */
export function diagnoseOther(cause: string, browser: string, fix: string): Diagnosis {
  return { cause, browser, fix };
}
