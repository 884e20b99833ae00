// Catalog rows whose failure is on the proxy → SOCKS hop: where tailscaled
// listens, what its port answers, how its handshake misbehaves, the state of the tailnet peer.
import { deadlineWindow, timing } from './timing.ts';
import type { Scenario } from './types.ts';

const passThrough1006 = 'browser 1006 (the failed upgrade is passed through)';
/** Past the front end's open timeout too, so a proxy without a deadline shows the hang. */
const slowGreetingMs = timing.openTimeoutMs + 500;

export const socksHopScenarios: Scenario[] = [
  {
    id: 'ipv6-only-bind',
    needs: 'any-proxy',
    title: 'SOCKS server on [::1] only; legacy proxy dials the literal 127.0.0.1',
    wrong: 'SOCKS server listens on [::1] only; proxy configured socks5://127.0.0.1:1055',
    tailnet: { bind: 'ipv6-only' },
    socksUrl: { legacy: 'socks5://127.0.0.1:{port}', fixed: 'socks5h://localhost:{port}' },
    legacyKnobs: ['singleAddress', 'passThroughUpgrade'],
    probe: 'workbench',
    expect: {
      legacy: { says: `failed to connect to SOCKS proxy, ${passThrough1006}`, closeCodes: [1006], socksLog: 'quiet' },
      fixed: { says: 'socks5h://localhost tries ::1 and 127.0.0.1: workbench connects, no 1006', workbench: 'connects' },
    },
  },
  {
    id: 'ipv4-only-bind',
    needs: 'any-proxy',
    title: 'SOCKS server on 127.0.0.1 only (tailscaled localhost:1055); legacy proxy dials [::1] and gives up',
    wrong: "faithful tailscaled localhost:1055 = 127.0.0.1 only; a client that dials [::1] first and gives up",
    tailnet: { bind: 'ipv4-only' },
    socksUrl: { legacy: 'socks5://[::1]:{port}', fixed: 'socks5h://localhost:{port}' },
    legacyKnobs: ['singleAddress', 'passThroughUpgrade'],
    probe: 'workbench',
    expect: {
      legacy: { says: `refused on ::1, ${passThrough1006}`, closeCodes: [1006] },
      fixed: { says: 'every address tried: connects', workbench: 'connects' },
    },
  },
  {
    id: 'port-probe-health',
    needs: 'readiness-route',
    title: 'health check that only opens a TCP connection to the SOCKS port',
    wrong: 'health check only opens a TCP connection',
    tailnet: {},
    legacyKnobs: [],
    legacyHealthIsPortProbe: true,
    probe: 'readiness',
    expect: {
      legacy: {
        says: 'health "listening"; SOCKS log shows `could not read packet header` once per probe',
        readiness: { ready: true },
        socksLog: 'could not read packet header',
      },
      fixed: {
        says: '/readyz does a greeting + CONNECT to the upstream and reports each step; no SOCKS log line',
        readiness: { ready: true },
        socksLog: 'quiet',
        workbench: 'connects',
      },
    },
  },
  {
    id: 'not-socks',
    needs: 'readiness-route',
    title: 'the SOCKS port is held by something that is not a SOCKS server',
    wrong: 'the port is open but it is not a SOCKS server (tailscaled not started, wrong process)',
    // mock-socks's default answer: an HTTP 400, as a web server holding the port would give.
    tailnet: { socksFaults: [{ type: 'not-socks' }] },
    legacyKnobs: ['passThroughUpgrade'],
    legacyHealthIsPortProbe: true,
    probe: 'readiness',
    expect: {
      legacy: { says: `health green, every WebSocket 1006`, readiness: { ready: true }, closeCodes: [1006] },
      fixed: {
        says: 'health red with the bytes it got back; browser close frame naming the cause',
        readiness: { ready: false, says: 'HTTP|48 54 54 50|not.*socks|version' },
        closeCodes: [1014],
        reason: 'socks',
      },
    },
  },
  {
    id: 'slow-handshake',
    needs: 'any-proxy',
    title: `SOCKS greeting reply delayed past the proxy's handshake deadline`,
    wrong: `server delays its greeting reply by ${slowGreetingMs} ms, past the proxy's ${timing.socksGreetingMs} ms deadline`,
    tailnet: { socksFaults: [{ type: 'slow-handshake', where: 'greeting', attributes: { delayMs: slowGreetingMs } }] },
    legacyKnobs: ['noTimeouts', 'passThroughUpgrade'],
    probe: 'workbench',
    expect: {
      legacy: { says: 'hang until the open timeout, then 1006', closeCodes: [1006], closeAfterMs: timing.openTimeoutMs * 0.9 },
      fixed: {
        says: 'close frame at the greeting deadline (± 10 %), reason names the step; never a hang',
        closeCodes: [1014],
        reason: 'greeting|timed? ?out',
        ...deadlineWindow(timing.socksGreetingMs),
      },
    },
  },
  {
    id: 'blackhole',
    needs: 'any-proxy',
    title: 'SOCKS server accepts TCP and never answers',
    wrong: 'server accepts TCP and never answers',
    tailnet: { socksFaults: [{ type: 'blackhole' }] },
    legacyKnobs: ['noTimeouts', 'passThroughUpgrade'],
    probe: 'workbench',
    expect: {
      legacy: { says: 'hang, then 1006', closeCodes: [1006], closeAfterMs: timing.openTimeoutMs * 0.9 },
      fixed: { says: 'close frame at the handshake deadline', closeCodes: [1014], reason: 'timed? ?out', ...deadlineWindow(timing.socksGreetingMs) },
    },
  },
  {
    id: 'truncated-reply-split',
    needs: 'any-proxy',
    title: "SOCKS replies arrive one byte at a time",
    wrong: "the server's replies arrive a byte at a time",
    // 5 ms between bytes: each byte is its own read, even on a loaded machine (12 bytes, far under the deadlines).
    tailnet: {
      socksFaults: [
        { type: 'truncate-reply', name: 'split-greeting', where: 'greeting', attributes: { mode: 'chunked', chunkBytes: 1, delayMs: 5 } },
        { type: 'truncate-reply', name: 'split-connect', where: 'connect', attributes: { mode: 'chunked', chunkBytes: 1, delayMs: 5 } },
      ],
    },
    // The seeds' `sock.recv` parser: the first byte of the greeting reply is taken for the whole reply.
    legacyKnobs: ['singleReadReplies', 'passThroughUpgrade'],
    probe: 'workbench',
    expect: {
      legacy: { says: `a client that assumes one read = one reply misparses, ${passThrough1006}`, closeCodes: [1006] },
      fixed: { says: 'reassembled; connects', workbench: 'connects' },
    },
  },
  {
    id: 'truncated-reply-close',
    needs: 'any-proxy',
    title: 'SOCKS CONNECT reply cut short, then the server closes',
    wrong: 'the server sends part of a reply, then closes',
    tailnet: { socksFaults: [{ type: 'truncate-reply', where: 'connect', attributes: { mode: 'close-after', bytes: 4 } }] },
    legacyKnobs: ['passThroughUpgrade'],
    probe: 'workbench',
    expect: {
      legacy: { says: `generic failure, ${passThrough1006}`, closeCodes: [1006] },
      fixed: { says: 'close frame whose reason says the reply was cut short (got 4 of 10 bytes)', closeCodes: [1014], reason: 'short|truncat|\\d+ of \\d+|closed' },
    },
  },
  {
    id: 'peer-down',
    needs: 'any-proxy',
    title: 'tailnet peer unreachable: 05 01 after the dial budget',
    wrong: 'tailnet peer unreachable: 05 01 after 5 s (context deadline exceeded)',
    tailnet: { peerState: 'down' },
    legacyKnobs: ['passThroughUpgrade'],
    probe: 'workbench',
    expect: {
      legacy: { says: '1006 after the wait', closeCodes: [1006], socksLog: 'context deadline exceeded' },
      fixed: {
        says: 'close frame "upstream unreachable through SOCKS (general failure)"',
        closeCodes: [1014],
        reason: 'general.failure|unreachable',
        // The wait itself is proven by tailscaled's own line: it gave up after its dial budget.
        socksLog: 'context deadline exceeded',
      },
    },
  },
  {
    id: 'peer-refuses',
    needs: 'any-proxy',
    title: 'tailnet peer refuses the port: 05 01 at once',
    wrong: '05 01 at once (connection was refused)',
    tailnet: { peerState: 'refusing' },
    legacyKnobs: ['passThroughUpgrade'],
    probe: 'workbench',
    expect: {
      legacy: { says: '1006', closeCodes: [1006], socksLog: 'connection was refused' },
      fixed: { says: 'close frame, same cause', closeCodes: [1014], reason: 'general.failure|unreachable|refused', socksLog: 'connection was refused' },
    },
  },
  {
    id: 'tailnet-not-ready',
    needs: 'any-proxy',
    title: 'tailscaled not logged in yet: the first CONNECTs fail',
    wrong: 'the first 2 CONNECTs fail (tailscaled not logged in yet)',
    tailnet: { socksFaults: [{ type: 'tailnet-not-ready', attributes: { attempts: 2 } }] },
    legacyKnobs: ['passThroughUpgrade'],
    probe: 'workbench',
    expect: {
      legacy: { says: '1006 on first load', closeCodes: [1006] },
      fixed: { says: "close frame naming the failed CONNECT, then the workbench's own reconnection lands once the tailnet is up; never 1006", closeCodes: [1014], reason: 'general.failure|unreachable|not ready', workbench: 'connects' },
    },
  },
];
