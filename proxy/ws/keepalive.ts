// Pings towards the browser, so that a hop in front which drops quiet connections — nginx's
// proxy_read_timeout and an AWS ALB (60 s), HAProxy's timeout tunnel (often 50 s), Cloudflare
// (100 s) — sees traffic both ways on a session that has none: the ping towards the browser, and
// the pong the browser sends back at once (RFC 6455 §5.5.2). A browser answers pings in its
// network stack, so the pong comes even from a background tab whose page timers are throttled.
//
// A session whose bytes cross both ways gets no ping: it needs none, and at thousands of busy
// sessions a ping every interval each was a write, a pong read and a pong written upstream per
// session. So the session is looked at every half interval, and pinged when a direction had
// nothing since the last look (a ping's turn is skipped right after one: the ping and its pong
// were that turn's traffic). No direction is quiet longer than the interval, as with a ping every
// interval; a quiet session still gets one ping per interval.
//
// The ping goes between whole frames: towards the browser the relay only ever writes whole frames
// (./frames.ts), and a timer cannot run in the middle of one of its writes. The browser's pong is
// not unsolicited for us but is for the upstream, where it crosses like any frame: RFC 6455 §5.5.3
// lets a pong go unsolicited and expects no answer (code-server's `ws` and ttyd ignore it), and
// dropping it would mean unmasking every control frame on the relay's hot path.
import type { Duplex } from 'node:stream';
import { Opcode } from './validation.ts';

/** An unmasked ping with no payload (server → client frames are never masked, §5.1). */
const ping = Buffer.from([0x80 | Opcode.ping, 0]);

export interface Keepalive {
  stop(): void;
}

/** The session's byte counts so far, towards the upstream and towards the browser. */
export interface Traffic {
  readonly bytesUp: number;
  readonly bytesDown: number;
}

/**
 * Pings the socket `browser()` returns (undefined while the session may not send one: closing, or
 * closed) whenever `traffic` shows a direction quiet for a while, so that no direction is quiet
 * longer than `intervalMs`. 0 = no keepalive. The caller stops it when the session ends.
 */
export function keepBrowserAlive(intervalMs: number, browser: () => Duplex | undefined, traffic: Traffic): Keepalive | undefined {
  if (intervalMs <= 0) return undefined;
  let up = traffic.bytesUp;
  let down = traffic.bytesDown;
  let pinged = false;
  const timer = setInterval(
    () => {
      const bothMoved = traffic.bytesUp !== up && traffic.bytesDown !== down;
      up = traffic.bytesUp;
      down = traffic.bytesDown;
      if (pinged || bothMoved) {
        pinged = false;
        return;
      }
      const socket = browser();
      if (!socket?.writable) return;
      socket.write(ping);
      pinged = true;
    },
    Math.max(1, Math.floor(intervalMs / 2)),
  );
  return { stop: () => clearInterval(timer) };
}
