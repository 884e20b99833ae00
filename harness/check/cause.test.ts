// Why a row failed, from what each hop saw: the cases a proxy without a close-code policy hits.
import { describe, expect, it } from 'vitest';
import type { ObservedSocket } from '../scenarios/judge.ts';
import { browserSaw, inferCause, namedCauses, proxySaid, socksSaw } from './cause.ts';
import type { SocksConversation } from './cause.ts';

const neverOpened: ObservedSocket = { url: 'ws://h/dev/code/x', createdAt: 0, closedAt: 30, code: 1006, reason: '' };
const conversation = (change: Partial<SocksConversation>): SocksConversation => ({ id: 1, remote: '127.0.0.1:5', phase: 'relay', bytesUp: 0, bytesDown: 0, event: 'close', ...change });
const where = { socksAddresses: ['[::1]:1055'], socksUrl: 'socks5h://localhost:1055' };

describe('the cause of a failed row', () => {
  it('names a failed upgrade passed through, and the SOCKS reply behind it', () => {
    const cause = inferCause({
      socket: neverOpened,
      upgrades: [{ path: '/dev/code/x', status: 502, line: 'HTTP/1.1 502 Bad Gateway' }],
      socks: [conversation({ destination: '100.84.184.84:8888', phase: 'connect', replyCode: 1, error: 'connect tcp 100.84.184.84:8888: connection was refused' })],
      ...where,
      failedChecks: [{ what: 'first close code in [1014]', ok: false, saw: '1006' }],
    });
    expect(cause).toBe(
      'the proxy answered the upgrade with HTTP/1.1 502 Bad Gateway instead of completing it and sending a close frame; ' +
        'SOCKS CONNECT 100.84.184.84:8888 → REP 0x01: connect tcp 100.84.184.84:8888: connection was refused',
    );
  });

  it('says when the proxy never reached the SOCKS server (the 127.0.0.1-only dial of an [::1]-only server)', () => {
    expect(socksSaw([], where.socksAddresses, where.socksUrl)).toBe('no SOCKS conversation reached mock tailscaled (listening on [::1]:1055; SOCKS5_PROXY=socks5h://localhost:1055)');
  });

  it('tells a hang from a refusal: the front end gave up, the SOCKS server is still silent', () => {
    const answer = [{ path: '/dev/code/x', line: "no answer within the front end's 1500 ms open timeout" }];
    expect(proxySaid(answer, neverOpened)).toBe("the upgrade got no answer within the front end's 1500 ms open timeout");
    expect(socksSaw([conversation({ event: 'open', phase: 'greeting' })], [], '')).toMatch(/still waiting in its greeting phase/);
  });

  it('after a 101, a socket that just ends is the proxy not sending a close frame', () => {
    const vanished = { ...neverOpened, openedAt: 10 };
    expect(browserSaw(vanished)).toBe('1006 after the upgrade');
    expect(proxySaid([{ path: '/x', status: 101, line: 'HTTP/1.1 101 Switching Protocols' }], vanished)).toMatch(/completed the upgrade, then the connection ended without a close frame/);
  });

  it('puts a cause named in front of the proxy first, and does not blame the proxy for what reached it', () => {
    const named = ['front end: the WebSocket upgrade was forwarded without its Upgrade and Connection headers'];
    const cause = inferCause({ socket: neverOpened, upgrades: [{ path: '/dev/code/x', status: 404, line: 'HTTP/1.1 404 Not Found' }], socks: [], ...where, failedChecks: [], named });
    expect(cause).toMatch(/^front end: the WebSocket upgrade was forwarded without .*; the proxy answered what reached it with HTTP\/1\.1 404 Not Found; no SOCKS/);
    const own = [{ path: '/dev/code/x', status: 302, line: "HTTP/1.1 302 Found (the front end's own answer)", own: true as const }];
    expect(proxySaid(own, neverOpened)).toBe('the front end answered the upgrade itself (HTTP/1.1 302 Found): it never reached the proxy');
  });

  it('names a session code-server no longer knows, from the workbench\'s own words', () => {
    const run = { logs: [{ t: 1, source: 'cause' as const, line: 'front end: x' }, { t: 2, source: 'cause' as const, line: 'front end: x' }], result: { probe: 'workbench' as const, settledBy: 'outcome' as const, elapsedMs: 1, sockets: [], workbench: { connected: true, handshakes: 2, reconnects: 0, lost: 0, events: ['+900ms management error Connection error: Unknown reconnection token (never seen)'] } } };
    expect(namedCauses(run)).toEqual(['front end: x', expect.stringMatching(/^code-server no longer knows this session .* Please reload the window/) as unknown as string]);
  });

  it('for a coded close, gives the checks that failed and what the tunnel carried', () => {
    const tooBig: ObservedSocket = { url: 'ws://h/x', createdAt: 0, openedAt: 5, closedAt: 90, code: 1009, reason: 'message too big' };
    const cause = inferCause({
      socket: tooBig,
      upgrades: [],
      socks: [conversation({ destination: '100.84.184.84:8888', bytesUp: 2_000_000, bytesDown: 900 })],
      ...where,
      failedChecks: [{ what: 'extension host echoes 67108864 bytes intact', ok: false, saw: '0 bytes' }],
    });
    expect(browserSaw(tooBig)).toBe('1009 "message too big"');
    expect(cause).toBe('extension host echoes 67108864 bytes intact: saw 0 bytes; SOCKS tunnel to 100.84.184.84:8888 up, code-server answered');
  });
});
