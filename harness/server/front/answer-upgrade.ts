// answer-upgrade: the hop answers the WebSocket upgrade itself with an ordinary HTTP response —
// an auth proxy whose session expired (302 to its login page, or 401), a redirect to HTTPS or to a
// trailing slash, a platform or route with no WebSocket support (400, 404, 426, 501, 502). A browser
// follows no redirect on a WebSocket handshake: anything but 101 fails it (RFC 6455 §4.1).
import { Attributes, FaultConfigError } from '../../../mock-socks/index.ts';
import type { HopFaultType } from './fault.ts';
import { handshakeFailed, rawResponse, statusText } from './words.ts';

function why(status: number, location: string | undefined): string {
  const answered = `front end answered the WebSocket upgrade with ${statusText(status)}${location ? ` → ${location}` : ''} instead of 101, and the proxy never saw it — ${handshakeFailed(status)}`;
  if (status >= 300 && status < 400) return `${answered}: a browser never follows a redirect on a WebSocket handshake (RFC 6455 §4.1); an auth proxy in front (oauth2-proxy, Cloudflare Access, IAP) redirects to its login page once its session expired — reload the page to log in again`;
  if (status === 401 || status === 403) return `${answered}: an auth proxy in front refused the upgrade (its session expired, or it does not accept the cookie on WebSocket requests) — reload the page to log in again`;
  return `${answered}: the hop in front does not pass WebSockets to the proxy (no upgrade support, or a route that does not cover the WebSocket URL)`;
}

export const answerUpgrade: HopFaultType = {
  name: 'answer-upgrade',
  attributes: ['status', 'location'],
  create(attributes) {
    const read = new Attributes('answer-upgrade', attributes);
    const status = read.number('status', 502, 200);
    if (!Number.isInteger(status) || status > 599) throw new FaultConfigError("answer-upgrade: 'status' must be a whole number from 200 to 599");
    const location = read.string('location');
    const response = rawResponse(status, location ? { location } : {}, `${statusText(status)}\n`);
    return {
      admit(upgrade) {
        upgrade.name(why(status, location));
        return { kind: 'answer', response };
      },
    };
  },
};
