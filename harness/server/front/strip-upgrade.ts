// strip-upgrade: a reverse proxy that does not forward the handshake's Upgrade and Connection
// headers. Both are hop-by-hop (RFC 9110 §7.6.1, §7.8), so a proxy drops them unless told to pass
// them on (nginx: `proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade;
// proxy_set_header Connection "upgrade";`). The proxy behind it sees a plain GET and answers it as
// one; every page of the app loads, and every WebSocket fails at once.
import type { HopFaultType } from './fault.ts';

const hopByHop = /^(upgrade|connection)$/i;

export const stripUpgrade: HopFaultType = {
  name: 'strip-upgrade',
  attributes: [],
  create() {
    return {
      admit(upgrade) {
        upgrade.request.headers = [...upgrade.request.headers.filter(([name]) => !hopByHop.test(name)), ['Connection', 'close']];
        upgrade.name(
          'front end: the WebSocket upgrade was forwarded without its Upgrade and Connection headers (hop-by-hop, RFC 9110 §7.6.1), so the proxy got a plain GET and answered it as one — "Unexpected response code", then 1006 on every WebSocket while the pages load; forward them (nginx: proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection "upgrade")',
        );
        return undefined;
      },
    };
  },
};
