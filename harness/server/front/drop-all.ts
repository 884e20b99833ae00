// drop-all: every WebSocket the hop relays ends at once — an ingress reload or a backend change
// that drops upgraded connections without a close frame (`mode: "drop"`, a 1006 on each), or a
// drain that closes each with 1001 going away (`mode: "go-away"`). Set live without
// `afterUpgrades` it happens now; with it, `afterMs` after the n-th upgrade relayed since the
// fault was set — once either way.
import { Attributes, FaultConfigError } from '../../../mock-socks/index.ts';
import type { HopFaultType, Link } from './fault.ts';

export const dropAll: HopFaultType = {
  name: 'drop-all',
  attributes: ['mode', 'afterUpgrades', 'afterMs'],
  create(attributes, door) {
    const read = new Attributes('drop-all', attributes);
    const mode = read.string('mode') ?? 'drop';
    if (mode !== 'drop' && mode !== 'go-away') throw new FaultConfigError("drop-all: 'mode' must be drop or go-away");
    const afterUpgrades = read.optionalNumber('afterUpgrades', 1);
    const afterMs = read.number('afterMs', 0);
    const links = new Set<Link>();
    let relayed = 0;
    let fired = false;
    let timer: NodeJS.Timeout | undefined;
    const fire = (): void => {
      if (fired) return;
      fired = true;
      const all = afterUpgrades === undefined ? [...door.links()] : [...links];
      door.name(
        mode === 'drop'
          ? `front end dropped every WebSocket (${all.length}) at once, without close frames — an ingress reload or backend change (nginx -s reload, an ingress controller applying new config) ends upgraded connections: 1006 on all of them together, then each workbench reconnects`
          : `front end closed every WebSocket (${all.length}) at once with 1001 going away — a graceful drain: each workbench reconnects`,
      );
      for (const link of all) {
        if (mode === 'drop') link.drop();
        else link.goAway(1001, 'front end draining');
      }
    };
    // Live: the list is in force before the change is applied, so it fires on the next turn.
    if (afterUpgrades === undefined) timer = setTimeout(fire, afterMs);
    return {
      relay(link) {
        links.add(link);
        if (afterUpgrades !== undefined && ++relayed === afterUpgrades) timer = setTimeout(fire, afterMs);
        return { end: () => links.delete(link) };
      },
      dispose: () => clearTimeout(timer),
    };
  },
};
