// Where the SOCKS host name leads: every address the resolver gives, what /etc/hosts says about
// `localhost`, and RFC 6761 §6.3 (localhost is loopback — 127.0.0.1 and ::1 — whatever the files
// say). Each address is then dialled by itself: a client that takes only the first is how the
// seed notes' `localhost` vs `127.0.0.1` confusion started.
import { lookup } from 'node:dns/promises';
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { bareHost, isLocalhostName } from '../../proxy/socks/address.ts';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
  /** Where it came from: 'literal', 'resolver', 'RFC 6761'. */
  from: string[];
}

export interface Resolution {
  host: string;
  addresses: ResolvedAddress[];
  /** The /etc/hosts lines for a localhost name, e.g. `localhost → 127.0.0.1`. */
  hostsFile?: string;
  /** Set when the name does not resolve. */
  error?: string;
}

const rfc6761Loopback = ['127.0.0.1', '::1'];

/** The addresses /etc/hosts gives `name`, in file order. */
export function hostsFileAddresses(text: string, name: string): string[] {
  const wanted = name.toLowerCase();
  const found: string[] = [];
  for (const line of text.split('\n')) {
    const [address, ...names] = line.replace(/#.*/, '').trim().split(/\s+/);
    if (address && isIP(address) && names.some((n) => n.toLowerCase() === wanted)) found.push(address);
  }
  return found;
}

export async function resolveSocksHost(rawHost: string, hostsPath = '/etc/hosts'): Promise<Resolution> {
  const host = bareHost(rawHost);
  const family = (address: string) => (isIP(address) === 6 ? 6 : 4);
  if (isIP(host)) return { host, addresses: [{ address: host, family: family(host), from: ['literal'] }] };
  const addresses: ResolvedAddress[] = [];
  const add = (address: string, from: string) => {
    const known = addresses.find((a) => a.address === address);
    if (known) {
      if (!known.from.includes(from)) known.from.push(from);
    } else addresses.push({ address, family: family(address), from: [from] });
  };
  const localhost = isLocalhostName(host);
  // Loopback first, IPv4 first: where a default tailscaled (`localhost:1055` = 127.0.0.1) listens.
  if (localhost) for (const address of rfc6761Loopback) add(address, 'RFC 6761');
  let error: string | undefined;
  try {
    for (const found of await lookup(host, { all: true })) add(found.address, 'resolver');
  } catch (cause) {
    error = (cause as NodeJS.ErrnoException).code ?? String(cause);
  }
  const resolution: Resolution = { host, addresses };
  if (localhost) {
    const listed = hostsFileAddresses(await readFile(hostsPath, 'utf8').catch(() => ''), host);
    resolution.hostsFile = listed.length ? `${hostsPath}: ${host} → ${listed.join(', ')}` : `${hostsPath} does not list ${host}`;
  } else if (error) resolution.error = error;
  return resolution;
}
