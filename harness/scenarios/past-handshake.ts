// Catalog rows whose failure is past the SOCKS handshake: the WebSocket session,
// the headers and query the proxy forwards, the platform's deadline, the terminal.
import { timing } from './timing.ts';
import type { Scenario } from './types.ts';

/**
 * code-server ends the first connection (management) mid-session, once 40 Regular messages have
 * crossed it — the probe's echo calls are in flight by then — and only that one, so the
 * reconnection can land.
 */
const dropFirstSession = { type: 'end-after-messages', attributes: { count: 40 }, which: { first: 1 } } as const;

export const pastHandshakeScenarios: Scenario[] = [
  {
    id: 'upstream-drops',
    needs: 'any-proxy',
    title: 'code-server ends the TCP socket mid-session (it never sends close frames)',
    wrong: 'code-server ends the TCP socket mid-session (it never sends close frames)',
    tailnet: { serverFaults: [dropFirstSession] },
    legacyKnobs: ['passThroughUpgrade'],
    probe: 'workbench',
    expect: {
      legacy: { says: '1006, reconnect', closeCodes: [1006] },
      fixed: {
        says: "close frame 1014 naming the upstream's end (no close frame from code-server), the client reconnects with its token, replay loses no message",
        closeCodes: [1014],
        reason: 'ended_without_close|ended|without a close',
        workbench: 'recovers',
      },
    },
  },
  {
    id: 'socks-reset',
    needs: 'any-proxy',
    title: 'the SOCKS relay resets the tunnel mid-session (RST)',
    wrong: 'the SOCKS relay resets the tunnel mid-session (RST)',
    tailnet: { socksFaults: [{ type: 'reset', where: 'downstream', attributes: { afterBytes: 400 }, which: { first: 1 } }] },
    legacyKnobs: ['passThroughUpgrade'],
    probe: 'workbench',
    expect: {
      legacy: { says: '1006', closeCodes: [1006] },
      fixed: { says: 'close frame 1014 naming the reset (not a clean end), the client reconnects with its token, replay loses no message', closeCodes: [1014], reason: 'reset', workbench: 'recovers' },
    },
  },
  {
    id: 'query-dropped',
    needs: 'any-proxy',
    title: 'proxy drops the query string (the reconnectionToken)',
    wrong: 'proxy drops the query string (reconnectionToken)',
    tailnet: { serverFaults: [dropFirstSession] },
    legacyKnobs: ['dropQuery', 'passThroughUpgrade'],
    probe: 'workbench',
    expect: {
      legacy: { says: 'reconnection refused: Unknown reconnection token, 1006', closeCodes: [1006] },
      fixed: { says: 'query forwarded byte for byte: the reconnection lands', workbench: 'recovers' },
    },
  },
  {
    id: 'origin-mismatch',
    needs: 'any-proxy',
    title: "proxy rewrites Host to the tailnet address but keeps the browser's Origin",
    wrong: "proxy rewrites Host to the tailnet address but keeps the browser's Origin",
    tailnet: {},
    legacyKnobs: ['hostRewrite', 'passThroughUpgrade'],
    probe: 'workbench',
    expect: {
      legacy: { says: 'code-server 403, 1006', closeCodes: [1006], upgradeStatus: 403 },
      fixed: { says: 'Host and Origin stay consistent: 101', workbench: 'connects' },
    },
  },
  {
    id: 'vsda-404',
    needs: 'any-proxy',
    title: 'vsda.js / vsda_bg.wasm answer 404',
    wrong: 'vsda.js / vsda_bg.wasm 404',
    tailnet: {},
    legacyKnobs: ['noVsdaStubs'],
    probe: 'vsda',
    expect: {
      legacy: { says: 'console errors on every load (404)', vsdaStatus: 404 },
      fixed: { says: 'served as empty 200s by the proxy: no 404 in the page', vsdaStatus: 200, workbench: 'connects' },
    },
  },
  {
    id: 'large-messages',
    needs: 'any-proxy',
    title: 'extension host sends ~1 MiB and larger messages',
    wrong: 'extension host sends ~1 MiB and larger messages',
    tailnet: {},
    legacyKnobs: [],
    // The seed's hop: python websockets' 1 MiB default max_size. Our proxy relays frames as they
    // are and only limits frame sizes, so the legacy run puts that hop in front of it.
    platform: { legacy: { maxMessageBytes: 1024 * 1024 } },
    probe: 'large-messages',
    expect: {
      legacy: { says: 'a hop with a 1 MiB limit closes with 1009', closeCodes: [1009] },
      fixed: { says: 'messages up to 64 MiB relayed intact', echoesBytes: 64 * 1024 * 1024, workbench: 'connects' },
    },
  },
  {
    id: 'request-timeout',
    needs: 'any-proxy',
    title: 'Cloud Run ends every request, WebSockets included, at its request timeout',
    wrong: 'Cloud Run ends every request (WebSockets included) at its request timeout',
    tailnet: {},
    legacyKnobs: [],
    platform: { fixed: { requestTimeoutMs: 1200 }, legacy: { requestTimeoutMs: 1200 } },
    proxy: { fixed: { wsLifetimeMs: 700 } },
    probe: 'workbench',
    expect: {
      legacy: { says: '1006 at the deadline', closeCodes: [1006], closeAfterMs: 1100 },
      fixed: { says: 'proxy closes with 1001 before the platform deadline, the client reconnects with its token, nothing lost', closeCodes: [1001], reason: 'lifetime|going away|deadline|timeout', workbench: 'recovers' },
    },
  },
  {
    id: 'tunnel-idle',
    needs: 'our-hooks',
    title: 'the tunnel is up but the upgrade never completes',
    wrong: 'the tunnel is up but the proxy never sends the upgrade (the python extra_headers TypeError)',
    tailnet: { serverFaults: [{ type: 'upgrade-delay', attributes: { ms: timing.openTimeoutMs * 2 } }] },
    legacyKnobs: ['noTimeouts', 'passThroughUpgrade'],
    upgradePathThrows: true,
    probe: 'workbench',
    expect: {
      legacy: { says: 'hang, 1006; no SOCKS log line', closeCodes: [1006], socksLog: 'quiet', closeAfterMs: timing.openTimeoutMs * 0.9 },
      fixed: { says: "an exception in the proxy's upgrade path ends in a close frame with code 1011 at once", closeCodes: [1011], reason: 'extra_headers|internal', closeWithinMs: 300 },
    },
  },
  {
    id: 'terminal',
    needs: 'any-proxy',
    title: 'terminal WebSocket through the same path',
    wrong: 'terminal WebSocket through the same path',
    tailnet: {},
    legacyKnobs: [],
    probe: 'terminal',
    expect: {
      legacy: { says: '—', terminalEchoes: true },
      fixed: { says: 'typed input echoes back; resize works; no 1006', terminalEchoes: true },
    },
  },
];
