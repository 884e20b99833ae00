// idle-timeout: the hop drops a WebSocket once no byte has crossed it for `idleMs`, the timer reset
// by traffic — in one direction or either. nginx (proxy_read_timeout, 60 s: bytes from the
// upstream), an AWS ALB (60 s, either way), HAProxy (timeout tunnel, often 50 s), Cloudflare
// (100 s). Unlike a request timeout, traffic keeps a session alive; a quiet one — a terminal
// nobody types in, a workbench in a background tab whose timers are throttled — is cut without a
// close frame.
import { Attributes, FaultConfigError } from '../../../mock-socks/index.ts';
import type { HopFaultType } from './fault.ts';

export type IdleDirection = 'both' | 'to-browser' | 'to-proxy';
const directions: readonly IdleDirection[] = ['both', 'to-browser', 'to-proxy'];
const quiet: Record<IdleDirection, string> = {
  both: 'no byte either way',
  'to-browser': 'no byte from the proxy towards the browser',
  'to-proxy': 'no byte from the browser towards the proxy',
};

export const idleTimeout: HopFaultType = {
  name: 'idle-timeout',
  attributes: ['idleMs', 'direction'],
  create(attributes) {
    const read = new Attributes('idle-timeout', attributes);
    const idleMs = read.number('idleMs', undefined, 1);
    const direction = (read.string('direction') ?? 'both') as IdleDirection;
    if (!directions.includes(direction)) throw new FaultConfigError(`idle-timeout: 'direction' must be one of ${directions.join(', ')}`);
    const cause = `front end: idle timeout — ${quiet[direction]} for ${idleMs} ms, so the hop dropped the WebSocket without a close frame: 1006 mid-session, then the workbench reconnects (nginx proxy_read_timeout 60 s, AWS ALB idle timeout 60 s, HAProxy timeout tunnel, Cloudflare 100 s); traffic resets it, so keep a quiet session talking (the proxy's WS_PING_INTERVAL_MS pings) or raise the timeout`;
    return {
      relay(link) {
        let timer: NodeJS.Timeout | undefined;
        const arm = (): void => {
          clearTimeout(timer);
          timer = setTimeout(() => {
            link.name(cause);
            link.drop();
          }, idleMs);
        };
        arm();
        return {
          toBrowser: direction === 'to-proxy' ? undefined : arm,
          toProxy: direction === 'to-browser' ? undefined : arm,
          end: () => clearTimeout(timer),
        };
      },
    };
  },
};
