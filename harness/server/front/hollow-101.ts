// hollow-101: the hop completes the handshake itself — 101 Switching Protocols — and nothing is
// behind it: a tunnel or ingress that answers the browser before its own connection to the backend
// is up, and then has nowhere to send the bytes (traefik, cloudflared). The socket opens; no byte
// ever comes back; the hop drops it after `closeAfterMs` (0: never).
import { Attributes } from '../../../mock-socks/index.ts';
import type { HopFaultType } from './fault.ts';

export const hollow101: HopFaultType = {
  name: 'hollow-101',
  attributes: ['closeAfterMs'],
  create(attributes) {
    const closeAfterMs = new Attributes('hollow-101', attributes).number('closeAfterMs', 0);
    return {
      admit(upgrade) {
        upgrade.name(
          `front end answered the WebSocket upgrade with 101 Switching Protocols itself and nothing is behind it (a tunnel or ingress whose backend connection failed after the handshake) — the socket opens and no byte comes back: the workbench waits out its handshake ("Time limit reached") and tries again${closeAfterMs > 0 ? `, and the hop drops the socket after ${closeAfterMs} ms (1006)` : ''}; the proxy never saw the upgrade`,
        );
        return { kind: 'hollow', closeAfterMs };
      },
    };
  },
};
