// Which sockets a listen address becomes. 'go' reproduces Go's net.Listen("tcp", ADDR), which is
// what tailscaled uses: 'localhost:P' binds 127.0.0.1 only, ':P' one dual-stack socket, literals
// as given. The other modes are the departures a harness needs (an IPv6-only SOCKS server, say).
import { isIP } from 'node:net';
import type { BindMode } from './types.ts';
import { splitHostPort, type HostPort } from '../common/host-port.ts';

export interface ListenPlan {
  host: string;
  ipv6Only: boolean;
}

export class ListenConfigError extends Error {
  readonly code = 'ERR_LISTEN_ADDRESS';
}

const isWildcard = (host: string) => host === '' || host === '0.0.0.0' || host === '::';
const isLoopbackName = (host: string) => host.toLowerCase() === 'localhost' || host === '127.0.0.1' || host === '::1';

export function parseListen(listen: string): HostPort {
  const address = splitHostPort(listen);
  if (!address) throw new ListenConfigError(`--listen must be HOST:PORT, got '${listen}'`);
  return address;
}

export function planListen(host: string, mode: BindMode): ListenPlan[] {
  const family = isIP(host);
  if (!isWildcard(host) && family === 0 && host.toLowerCase() !== 'localhost') {
    throw new ListenConfigError(`listen host must be localhost, an IP literal or empty, got '${host}'`);
  }
  switch (mode) {
    case 'go':
      if (host === '') return [{ host: '::', ipv6Only: false }];
      if (host.toLowerCase() === 'localhost') return [{ host: '127.0.0.1', ipv6Only: false }];
      return [{ host, ipv6Only: false }];
    case 'ipv4-only':
      if (isWildcard(host)) return [{ host: '0.0.0.0', ipv6Only: false }];
      if (isLoopbackName(host)) return [{ host: family === 4 ? host : '127.0.0.1', ipv6Only: false }];
      if (family === 4) return [{ host, ipv6Only: false }];
      throw new ListenConfigError(`bind ipv4-only cannot listen on ${host}`);
    case 'ipv6-only':
      if (isWildcard(host)) return [{ host: '::', ipv6Only: true }];
      if (isLoopbackName(host)) return [{ host: '::1', ipv6Only: true }];
      if (family === 6) return [{ host, ipv6Only: true }];
      throw new ListenConfigError(`bind ipv6-only cannot listen on ${host}`);
    case 'dual':
      if (isWildcard(host)) return [{ host: '::', ipv6Only: false }];
      if (isLoopbackName(host)) return [{ host: '127.0.0.1', ipv6Only: false }, { host: '::1', ipv6Only: true }];
      throw new ListenConfigError(`bind dual needs localhost, a loopback literal or a wildcard, got ${host}`);
    default:
      throw new ListenConfigError(`unknown bind mode '${String(mode)}'`);
  }
}
