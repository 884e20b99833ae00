// The page's live fault switches: each one is a fault spec added to (or removed from) the list
// the stack holds. Names are unique so a switch finds its own fault again.
import type { FrontFault, PeerState, ServerFault, SocksFault } from '../../scenarios/types.ts';

export type FaultSwitch =
  | { label: string; target: 'socks'; fault: SocksFault & { name: string } }
  | { label: string; target: 'server'; fault: ServerFault & { name: string } }
  | { label: string; target: 'front'; fault: FrontFault & { name: string } };

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
  { label: 'code-server restarts (sessions forgotten)', target: 'server', fault: { name: 'ui-restart', type: 'restart' } },
  { label: 'front end: upgrade headers not forwarded', target: 'front', fault: { name: 'ui-strip-upgrade', type: 'strip-upgrade' } },
  { label: 'front end: auth proxy 302 to its login', target: 'front', fault: { name: 'ui-auth-302', type: 'answer-upgrade', attributes: { status: 302, location: '/oauth2/start?rd=%2Fdev%2Fcode%2F' } } },
  { label: 'front end: idle timeout 1000 ms (traffic resets it)', target: 'front', fault: { name: 'ui-idle', type: 'idle-timeout', attributes: { idleMs: 1000 } } },
  { label: 'front end: idle timeout 1000 ms, browser → proxy only', target: 'front', fault: { name: 'ui-idle-up', type: 'idle-timeout', attributes: { idleMs: 1000, direction: 'to-proxy' } } },
  { label: 'front end: rewrite misses the WebSocket path (/ide)', target: 'front', fault: { name: 'ui-prefix', type: 'path-prefix', attributes: { prefix: '/ide' } } },
  { label: 'front end: reload drops every socket now', target: 'front', fault: { name: 'ui-drop-all', type: 'drop-all' } },
  { label: 'front end: drain closes every socket 1001 now', target: 'front', fault: { name: 'ui-go-away', type: 'drop-all', attributes: { mode: 'go-away' } } },
  { label: 'front end: flips RSV1 on a frame', target: 'front', fault: { name: 'ui-rsv1', type: 'corrupt-frames', attributes: { afterFrames: 4 } } },
  { label: 'front end: 1 WebSocket at a time (429)', target: 'front', fault: { name: 'ui-cap', type: 'max-websockets', attributes: { limit: 1 } } },
  { label: 'front end: 101 with nothing behind it', target: 'front', fault: { name: 'ui-hollow', type: 'hollow-101', attributes: { closeAfterMs: 3000 } } },
];

/** The list with `fault` switched on or off (matched by name). */
export function toggled<T extends { name?: string }>(list: readonly T[], fault: T & { name: string }, on: boolean): T[] {
  const rest = list.filter((f) => f.name !== fault.name);
  return on ? [...rest, fault] : rest;
}
