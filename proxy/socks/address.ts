// Which addresses to try for the SOCKS server. tailscaled's `localhost:1055` binds 127.0.0.1 only,
// while an explicit `[::1]:1055` (or another SOCKS server) binds IPv6 only; /etc/hosts in many
// containers maps localhost to 127.0.0.1 alone. So `localhost` is loopback by RFC 6761 §6.3 —
// both families, whatever the resolver says — and any other name is tried at every address.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { ProxyError } from '../errors.ts';

/** Loopback, IPv4 first: that is where a default tailscaled listens, so most dials hit first time. */
const loopback = ['127.0.0.1', '::1'];

/** `host` without the brackets of an IPv6 literal. */
export function bareHost(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

export function isLocalhostName(host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  return name === 'localhost' || name.endsWith('.localhost');
}

/** Every address to try, in order: a literal as given, `localhost` as both loopbacks, any other name at each address it has. */
export async function socksServerAddresses(host: string): Promise<string[]> {
  const name = bareHost(host);
  if (isIP(name)) return [name];
  if (isLocalhostName(name)) return [...loopback];
  try {
    const found = await lookup(name, { all: true });
    return [...new Set(found.map((a) => a.address))];
  } catch (error) {
    throw resolveFailed(name, error);
  }
}

export function resolveFailed(name: string, error: unknown): ProxyError {
  return new ProxyError('socks.resolve_failed', `${name}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { cause: error });
}
