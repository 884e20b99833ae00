// The mock tailnet: peers by 100.64.0.0/10 address or MagicDNS name, each tailnet port mapped to a
// local HOST:PORT where the in-process service really listens.
import { isIP } from 'node:net';
import type { PeerSpec, PeerState } from './types.ts';

export interface Peer {
  address: string;
  names: string[];
  ports: Map<number, string>;
  state: PeerState;
}

export type TailnetTarget =
  /** Inside 100.64.0.0/10 or a MagicDNS name of a peer; `peer` is undefined for an address nobody holds. */
  | { kind: 'tailnet'; address: string; peer: Peer | undefined }
  | { kind: 'host' };

/** CGNAT range tailscale assigns node addresses from (100.64.0.0/10). */
export function isTailnetAddress(host: string): boolean {
  if (isIP(host) !== 4) return false;
  const [a, b = 0] = host.split('.').map(Number);
  return a === 100 && b >= 64 && b <= 127;
}

function normalizeName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

export class TailnetMap {
  private readonly peers: Peer[] = [];

  constructor(specs: PeerSpec[] = []) {
    for (const spec of specs) this.add(spec);
  }

  add(spec: PeerSpec): void {
    if (!isTailnetAddress(spec.address)) {
      throw Object.assign(new Error(`peer address ${spec.address} is not in 100.64.0.0/10`), { code: 'ERR_PEER_ADDRESS' });
    }
    const existing = this.peers.find((p) => p.address === spec.address);
    const ports = new Map(Object.entries(spec.ports).map(([port, local]) => [Number(port), local] as const));
    if (existing) {
      for (const name of spec.names ?? []) if (!existing.names.includes(normalizeName(name))) existing.names.push(normalizeName(name));
      for (const [port, local] of ports) existing.ports.set(port, local);
      if (spec.state) existing.state = spec.state;
      return;
    }
    this.peers.push({ address: spec.address, names: (spec.names ?? []).map(normalizeName), ports, state: spec.state ?? 'up' });
  }

  find(addressOrName: string): Peer | undefined {
    const key = normalizeName(addressOrName);
    return this.peers.find((p) => p.address === key || p.names.includes(key));
  }

  setState(addressOrName: string, state: PeerState): void {
    const peer = this.find(addressOrName);
    if (!peer) throw Object.assign(new Error(`no peer ${addressOrName} in the tailnet map`), { code: 'ERR_NO_PEER' });
    peer.state = state;
  }

  resolve(host: string): TailnetTarget {
    const peer = this.find(host);
    if (peer) return { kind: 'tailnet', address: peer.address, peer };
    if (isTailnetAddress(host)) return { kind: 'tailnet', address: host, peer: undefined };
    return { kind: 'host' };
  }
}
