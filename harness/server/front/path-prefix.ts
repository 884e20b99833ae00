// path-prefix: the app is served under a base path that the hop strips before forwarding — but the
// rule that strips it does not cover the WebSocket URL (a separate location block for upgrades, a
// rewrite that matches `/ide/` and not `/ide/stable-…`), so the upgrade reaches the proxy with the
// prefix still on and finds no route: 404, while every page loads.
import { Attributes, FaultConfigError } from '../../../mock-socks/index.ts';
import type { HopFaultType } from './fault.ts';

export const pathPrefix: HopFaultType = {
  name: 'path-prefix',
  attributes: ['prefix'],
  create(attributes) {
    const prefix = new Attributes('path-prefix', attributes).string('prefix') ?? '/ide';
    if (!/^\/[^?#\s]*[^/?#\s]$/.test(prefix)) throw new FaultConfigError("path-prefix: 'prefix' must start with / and not end with one, e.g. /ide");
    return {
      admit(upgrade) {
        upgrade.request.target = prefix + upgrade.request.target;
        upgrade.name(
          `front end: the app is served under ${prefix} and the hop strips it from page requests, but its rewrite missed the WebSocket URL — the proxy got ${prefix}${upgrade.request.target.slice(prefix.length).split('?')[0]} and has no such route: "Unexpected response code: 404", then 1006; strip the prefix for upgrades too (or serve the app under it end to end)`,
        );
        return undefined;
      },
    };
  },
};
