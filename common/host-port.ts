// HOST:PORT as every command line and configuration here writes an address: Go's
// net.SplitHostPort / net.JoinHostPort (tailscaled's `--socks5-server=localhost:1055` is parsed by
// them), with a decimal port from 0 to 65535. Each caller words its own error and picks its own
// default for an empty host.

export interface HostPort {
  /** Without the brackets of an IPv6 literal; '' for `:PORT` (every interface, as Go listens). */
  host: string;
  port: number;
}

const maxPort = 65_535;

/** `host:port`, `[v6]:port` or `:port` → host and port; undefined for anything else. */
export function splitHostPort(value: string): HostPort | undefined {
  let host: string;
  let portText: string;
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    if (end < 0 || value[end + 1] !== ':') return undefined;
    host = value.slice(1, end);
    portText = value.slice(end + 2);
  } else {
    const at = value.lastIndexOf(':');
    if (at < 0) return undefined;
    host = value.slice(0, at);
    portText = value.slice(at + 1);
    // Go: "too many colons in address" — an IPv6 literal needs its brackets.
    if (host.includes(':')) return undefined;
  }
  if (/[[\]]/.test(host) || !/^\d{1,5}$/.test(portText)) return undefined;
  const port = Number(portText);
  return port > maxPort ? undefined : { host, port };
}

/** Brackets around an IPv6 literal, as Go's net.JoinHostPort. */
export function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
