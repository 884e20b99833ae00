// The mock tailnet: peers by 100.64.0.0/10 address or MagicDNS name, each tailnet port mapped to a
// local HOST:PORT where the in-process service really listens.
import { isIP } from 'node:net';
import type { PeerSpec, PeerState } from './types.ts';
import { splitHostPort } from '../common/host-port.ts';

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

const PEER_STATES: readonly string[] = ['up', 'down', 'refusing'] satisfies PeerState[];

function peerConfigError(message: string): Error {
  return Object.assign(new Error(message), { code: 'ERR_PEER_CONFIG' });
}

function checkState(state: unknown): void {
  if (!PEER_STATES.includes(state as string)) throw peerConfigError(`peer state must be up, down or refusing, got ${JSON.stringify(state)}`);
}


function checkPeerSpec(spec: PeerSpec): void {
  if (spec.state !== undefined) checkState(spec.state);
  if (spec.names !== undefined && !(Array.isArray(spec.names) && spec.names.every((n) => typeof n === 'string' && n !== ''))) {
    throw peerConfigError('peer names must be a list of names');
  }
  if (typeof spec.ports !== 'object' || spec.ports === null) throw peerConfigError('peer ports must map tailnet ports to local HOST:PORT');
  // A spec can come from JSON (the control API): a bad port map must be refused here, not fail a dial later.
  for (const [port, local] of Object.entries(spec.ports)) {
    if (!(/^\d+$/.test(port) && Number(port) >= 1 && Number(port) <= 65535 && typeof local === 'string' && splitHostPort(local) !== undefined)) throw peerConfigError(`peer port ${port} must map to a local HOST:PORT, got ${JSON.stringify(local)}`);
  }
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
    checkPeerSpec(spec);
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
    checkState(state);
    const peer = this.find(addressOrName);
    if (!peer) throw Object.assign(new Error(`no peer ${addressOrName} in the tailnet map`), { code: 'ERR_NO_PEER' });
    peer.state = state;
  }

  /** The map as specs (what a control API shows). */
  specs(): Required<PeerSpec>[] {
    return this.peers.map((p) => ({ address: p.address, names: [...p.names], ports: Object.fromEntries(p.ports), state: p.state }));
  }

  resolve(host: string): TailnetTarget {
    const peer = this.find(host);
    if (peer) return { kind: 'tailnet', address: peer.address, peer };
    if (isTailnetAddress(host)) return { kind: 'tailnet', address: host, peer: undefined };
    return { kind: 'host' };
  }
}
