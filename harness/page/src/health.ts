// The page header's one-word answer to "would a connection made now work?": what is in force —
// the peer's state, every fault on mock-socks, code-server and the front door, the legacy knobs — not only
// whether the proxy process is up. Pure, from the stack's info.
import type { StackInfo } from '../../stack-info.ts';
import { faultSwitches } from './fault-switches.ts';

export interface Health {
  tone: 'ok' | 'warn' | 'bad';
  text: string;
}

/** Faults that slow a connection down without failing it. */
const degrading = new Set(['latency', 'bandwidth', 'slicer', 'slow-close']);

function label(fault: { name?: string; type: string }, where: string): string {
  const known = faultSwitches.find((s) => s.fault.name === fault.name);
  return known ? known.label : `${where} ${fault.name ?? fault.type}`;
}

export function healthOf(info: StackInfo): Health {
  if (!info.proxy.url) return { tone: 'bad', text: 'proxy not running' };
  const faults = [
    ...info.faults.socks.map((f) => ({ f, where: 'SOCKS' })),
    ...info.faults.server.map((f) => ({ f, where: 'code-server' })),
    ...info.faults.front.map((f) => ({ f, where: 'front end' })),
  ];
  const inForce = [
    ...(info.peer.state === 'up' ? [] : [`peer ${info.peer.state}`]),
    ...faults.map(({ f, where }) => label(f, where)),
    ...(info.proxy.legacyKnobs.length > 0 ? [`legacy knobs: ${info.proxy.legacyKnobs.join(', ')}`] : []),
  ];
  if (inForce.length === 0) return { tone: 'ok', text: 'healthy tailnet' };
  const failing = info.peer.state !== 'up' || info.proxy.legacyKnobs.length > 0 || faults.some(({ f }) => !degrading.has(f.type));
  return { tone: failing ? 'bad' : 'warn', text: `in force: ${inForce.join(' · ')}` };
}
