// The page's live fault switches: each one is a fault spec added to (or removed from) the list
// the stack holds. Names are unique so a switch finds its own fault again.
import type { PeerState, ServerFault, SocksFault } from '../../scenarios/types.ts';

export type FaultSwitch =
  | { label: string; target: 'socks'; fault: SocksFault & { name: string } }
  | { label: string; target: 'server'; fault: ServerFault & { name: string } };

export const peerStates: PeerState[] = ['up', 'down', 'refusing'];

export const faultSwitches: FaultSwitch[] = [
  { label: 'slow SOCKS greeting (+700 ms)', target: 'socks', fault: { name: 'ui-slow-greeting', type: 'slow-handshake', where: 'greeting', attributes: { delayMs: 700 } } },
  { label: 'SOCKS blackhole', target: 'socks', fault: { name: 'ui-blackhole', type: 'blackhole' } },
  { label: 'port is not SOCKS (HTTP reply)', target: 'socks', fault: { name: 'ui-not-socks', type: 'not-socks' } },
  { label: 'CONNECT reply cut short', target: 'socks', fault: { name: 'ui-truncate', type: 'truncate-reply', where: 'connect', attributes: { mode: 'close-after', bytes: 4 } } },
  { label: 'reset tunnel after 4 KiB', target: 'socks', fault: { name: 'ui-reset', type: 'reset', where: 'downstream', attributes: { afterBytes: 4096 } } },
  { label: 'tailnet not ready (2 CONNECTs)', target: 'socks', fault: { name: 'ui-not-ready', type: 'tailnet-not-ready', attributes: { attempts: 2 } } },
  { label: 'latency 150 ms downstream', target: 'socks', fault: { name: 'ui-latency', type: 'latency', where: 'downstream', attributes: { latencyMs: 150 } } },
  { label: 'code-server ends socket after 20 messages', target: 'server', fault: { name: 'ui-end', type: 'end-after-messages', attributes: { count: 20 } } },
  { label: 'code-server refuses upgrade (403)', target: 'server', fault: { name: 'ui-403', type: 'upgrade-refuse', attributes: { status: 403 } } },
  { label: 'handshake: version mismatch', target: 'server', fault: { name: 'ui-version', type: 'handshake-error', attributes: { reason: 'Client refused: version mismatch' } } },
];

/** The list with `fault` switched on or off (matched by name). */
export function toggled<T extends { name?: string }>(list: readonly T[], fault: T & { name: string }, on: boolean): T[] {
  const rest = list.filter((f) => f.name !== fault.name);
  return on ? [...rest, fault] : rest;
}
