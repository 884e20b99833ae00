// tailnet-not-ready: tailscaled before login — the SOCKS port is open but every CONNECT into the
// tailnet waits out the dial budget and fails (05 01, `context deadline exceeded`), for the first
// `forMs` ms after the fault is set, or for the first `attempts` tailnet CONNECTs. Host targets
// are unaffected, as in tailscaled.
import { FaultConfigError, type FaultType } from './fault.ts';
import { Attributes, noWhere } from './attributes.ts';

export const tailnetNotReady: FaultType = {
  name: 'tailnet-not-ready',
  attributes: ['forMs', 'attempts'],
  create(attributes, where) {
    noWhere('tailnet-not-ready', where);
    const a = new Attributes('tailnet-not-ready', attributes);
    const forMs = a.optionalNumber('forMs');
    const attempts = a.optionalNumber('attempts');
    if ((forMs === undefined) === (attempts === undefined)) throw new FaultConfigError(`tailnet-not-ready: set exactly one of 'forMs' or 'attempts'`);
    // Readiness is a property of the node, so this state is shared by all connections on purpose.
    const setAt = Date.now();
    let seen = 0;
    return {
      beforeDial(_ctx, tailnet) {
        if (!tailnet) return undefined;
        seen += 1;
        const ready = forMs !== undefined ? Date.now() - setAt >= forMs : seen > (attempts ?? 0);
        return ready ? undefined : { unreachable: true };
      },
    };
  },
};
