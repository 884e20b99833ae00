// throttled-between-requests: tailscaled in the same Cloud Run container as the proxy, with CPU
// allocated only during request processing (request-based billing, Cloud Run's default). Between
// requests the container's CPU is "disabled or severely limited", so tailscaled's keepalives and
// map updates stop; when a request arrives after an idle stretch of at least `idleMs`, the tailnet
// first has to catch up — every tailnet CONNECT until `stallMs` after that wake waits out the rest
// of the stall before dialling, and the first `failConnects` of those fail as a stale peer map's
// dial does (the dial budget, then 05 01 and `context deadline exceeded`). Host targets are
// unaffected, as they do not go through the tailnet.
import { FaultConfigError, type FaultType } from './fault.ts';
import { Attributes, noWhere } from './attributes.ts';

export const throttledBetweenRequests: FaultType = {
  name: 'throttled-between-requests',
  attributes: ['idleMs', 'stallMs', 'failConnects'],
  create(attributes, where) {
    noWhere('throttled-between-requests', where);
    const a = new Attributes('throttled-between-requests', attributes);
    const idleMs = a.number('idleMs', 0);
    const stallMs = a.number('stallMs');
    const failConnects = a.number('failConnects', 0);
    if (!Number.isInteger(failConnects)) throw new FaultConfigError(`throttled-between-requests: 'failConnects' must be an integer`);
    // Only CONNECTs caught in the catch-up fail: with no stall there is nothing stale to fail on.
    if (failConnects > 0 && stallMs === 0) throw new FaultConfigError(`throttled-between-requests: 'failConnects' needs 'stallMs' > 0`);
    // The catch-up is the node's, so it is shared by every connection of one wake on purpose.
    let wake = { at: Number.NaN, caught: 0 };
    return {
      async beforeDial(ctx, tailnet) {
        const { wokeAt, idleBeforeMs } = ctx.node;
        if (!tailnet || idleBeforeMs < idleMs) return undefined;
        if (wake.at !== wokeAt) wake = { at: wokeAt, caught: 0 };
        const rest = wokeAt + stallMs - Date.now();
        if (rest <= 0) return undefined;
        // Counted on arrival, so "the first N" are the first N CONNECTs asked, whatever timer fires first.
        const arrival = wake.caught++;
        if (!(await ctx.sleep(rest))) return undefined;
        return arrival < failConnects ? { unreachable: true } : undefined;
      },
    };
  },
};
