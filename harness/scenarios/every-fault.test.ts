// Every fault type of mock-socks and of mock-code-server, through our proxy: the workbench's
// socket gets a close frame with the documented code and a reason naming the cause — never 1006 —
// and nothing is left behind; the same fault with the legacy knob that caused it in the seed notes
// does end in 1006 (or hangs until the client gives up), so these assertions can fail. A fault
// type that a catalog row already judges (in a real browser, e2e/scenarios-*.spec.ts) counts as
// covered by that row: its cases here are the variations the catalog does not run.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { faultTypeNames, startMockSocks, type FaultSpec, type MockSocksHandle } from '../../mock-socks/index.ts';
import { serverFaultTypeNames, startMockCodeServer, type MockCodeServerHandle, type ServerFaultSpec } from '../../mock-code-server/index.ts';
import { encodeMessage, MessageType, protocolMessage } from '../../mock-code-server/common/index.ts';
import type { ProxyHandle } from '../../proxy/index.ts';
import { startLegacyProxy, type LegacyKnobs, type LegacyProxyOptions } from '../../proxy/legacy/index.ts';
import { scenarios } from './index.ts';
import { workbenchSocket } from './workbench-socket.ts';

const peer = '100.84.184.84';
/**
 * Deadlines scaled to ms; the mock's dial budget (tailscaled: 5 s) is below the CONNECT-reply
 * deadline, as in production, and the retry window (7 s) above the step deadlines.
 */
const timeouts = { socksConnectTimeoutMs: 300, socksGreetingTimeoutMs: 100, socksConnectReplyTimeoutMs: 150, upgradeTimeoutMs: 150, wsRetryWindowMs: 300, retryIntervalMs: 40 };
/** The browser's (python's open_timeout's) own patience, for legacy runs that hang; the faults that hang last longer. */
const clientHandshakeTimeoutMs = 500;

let codeServer: MockCodeServerHandle;
let socks: MockSocksHandle;
const proxies: ProxyHandle[] = [];

beforeAll(async () => {
  codeServer = await startMockCodeServer({ timeScale: 0.01 });
  socks = await startMockSocks({ peers: [{ address: peer, ports: { 8888: `127.0.0.1:${codeServer.port}` } }], dialTimeoutMs: 50 });
});
afterAll(async () => {
  await socks.close();
  await codeServer.close();
});
afterEach(async () => {
  await Promise.all(proxies.splice(0).map((p) => p.close()));
  socks.clearFaults();
  codeServer.clearFaults();
});

/** The product, or the legacy entry with `legacy` knobs on (it is the product when none is). */
async function proxy(options: LegacyProxyOptions = {}): Promise<string> {
  const started = await startLegacyProxy({ socksUrl: `socks5h://localhost:${socks.port}`, upstreamUrl: `http://${peer}:8888`, accessLog: false, ...timeouts, ...options });
  proxies.push(started);
  return started.url.replace(/^http/, 'ws') + '/dev/code';
}

/** SOCKS connections opened since `before` that are still open. */
function newConnections(before: Set<number>): number {
  return socks.connections().filter((c) => !before.has(c.id)).length;
}

/** Opens a workbench socket and reports how it went: `ok`, `error: …`, then how it closed. */
async function attempt(base: string, options: { afterOk?: 'send-regular' | 'close-4000'; legacy?: boolean } = {}): Promise<{ outcome: string; code: number; reason: string }> {
  // The fixed profile answers the browser's upgrade at once; only legacy runs need the client to give up.
  const wb = workbenchSocket(base, { ws: options.legacy ? { handshakeTimeout: clientHandshakeTimeoutMs } : {} });
  const outcome = await wb.outcome;
  if (outcome === 'ok') {
    if (options.afterOk === 'send-regular') wb.client.ws.send(encodeMessage(protocolMessage(MessageType.Regular, 1, 0, new Uint8Array([1, 2, 3]))));
    if (options.afterOk === 'close-4000') wb.client.ws.close(4000, 'workbench closed');
  }
  const closed = await wb.client.closed;
  return { outcome, ...closed };
}

interface FaultCase {
  name: string;
  socksFaults?: FaultSpec[];
  serverFaults?: ServerFaultSpec[];
  afterOk?: 'send-regular' | 'close-4000';
  /** The fixed profile's close: code and reason, and whether the retry window tried again (a cause that can pass). */
  fixed: { code: number; reason: RegExp; outcome?: RegExp; retried?: boolean };
  /** The legacy knobs that reproduce the seed notes' failure, and what the client then sees. */
  legacy?: { knobs: Partial<LegacyKnobs>; code: number };
}

const passThrough = { passThroughUpgrade: true };
const hanging = { passThroughUpgrade: true, noTimeouts: true };
const gateway = (reason: RegExp, outcome?: RegExp) => ({ code: 1014, reason, outcome });
/** A cause that can pass: attempted again until the window is spent, the reason says how often. */
const retried = (reason: RegExp) => ({ ...gateway(reason), retried: true });
const transientReplies = new Set([1, 3, 4, 5, 6]);

const replyNames = ['general_failure', 'not_allowed', 'network_unreachable', 'host_unreachable', 'connection_refused', 'ttl_expired', 'command_not_supported', 'address_type_not_supported'];

const socksCases: (FaultCase & { type: string })[] = [
  { type: 'slow-handshake', name: 'slow-handshake over the CONNECT-reply deadline', socksFaults: [{ type: 'slow-handshake', attributes: { delayMs: 2000 }, where: 'connect' }], fixed: retried(/^socks\.timeout\.connect_reply after \d+ ms/), legacy: { knobs: hanging, code: 1006 } },
  { type: 'truncate-reply', name: 'truncate-reply: close after 4 bytes of the CONNECT reply', socksFaults: [{ type: 'truncate-reply', attributes: { mode: 'close-after', bytes: 4 }, where: 'connect' }], fixed: retried(/^socks\.reply_truncated \(got 4 of 10 bytes of the connect reply\)/), legacy: { knobs: passThrough, code: 1006 } },
  ...replyNames.map((name, i) => ({ type: 'reply-code', name: `reply-code ${i + 1}`, socksFaults: [{ type: 'reply-code', attributes: { code: i + 1 } }], fixed: (transientReplies.has(i + 1) ? retried : gateway)(new RegExp(`^socks\\.reply_${name} \\(REP 0x0${i + 1}\\)`)), legacy: { knobs: passThrough, code: 1006 } })),
  { type: 'not-socks', name: 'not-socks: an HTTP server on the port', socksFaults: [{ type: 'not-socks' }], fixed: gateway(/^socks\.not_socks got "HTTP\/1\.1 400 Bad"/), legacy: { knobs: passThrough, code: 1006 } },
  { type: 'reset', name: 'reset at the CONNECT', socksFaults: [{ type: 'reset', where: 'connect' }], fixed: retried(/^socks\.(reset\.connect_reply|closed\.connect_reply)/), legacy: { knobs: passThrough, code: 1006 } },
  { type: 'limit-data', name: 'limit-data: the tunnel ends after 300 bytes down', socksFaults: [{ type: 'limit-data', attributes: { bytes: 300 }, where: 'downstream' }], fixed: gateway(/^upstream\.ended_without_close/, /^(ok|closed)/), legacy: { knobs: passThrough, code: 1006 } },
  { type: 'timeout', name: 'timeout: the downstream goes silent, then closes', socksFaults: [{ type: 'timeout', attributes: { timeoutMs: 60 }, where: 'downstream' }], fixed: retried(/^upstream\.closed_before_upgrade/), legacy: { knobs: passThrough, code: 1006 } },
  { type: 'slow-close', name: 'slow-close: code-server ends the socket, teardown is slow', socksFaults: [{ type: 'slow-close', attributes: { delayMs: 40 }, where: 'downstream' }], serverFaults: [{ type: 'end-after-ms', attributes: { ms: 20 } }], fixed: gateway(/^upstream\.ended_without_close/, /^(ok|closed 1014)$/), legacy: { knobs: passThrough, code: 1006 } },
  { type: 'tailnet-not-ready', name: 'tailnet-not-ready: every tailnet CONNECT fails', socksFaults: [{ type: 'tailnet-not-ready', attributes: { forMs: 60_000 } }], fixed: retried(/^socks\.reply_general_failure/), legacy: { knobs: passThrough, code: 1006 } },
];

/** Faults that slow or reshape the stream without breaking it: the session must simply work. */
const benignSocks: { type: string; name: string; faults: FaultSpec[] }[] = [
  { type: 'slow-handshake', name: 'slow-handshake under the deadline', faults: [{ type: 'slow-handshake', attributes: { delayMs: 20 } }] },
  { type: 'latency', name: 'latency 20 ms down', faults: [{ type: 'latency', attributes: { latencyMs: 20 }, where: 'downstream' }] },
  { type: 'bandwidth', name: 'bandwidth 500 KB/s down', faults: [{ type: 'bandwidth', attributes: { rateKBps: 500 }, where: 'downstream' }] },
  { type: 'throttled-between-requests', name: 'throttled-between-requests: a 20 ms catch-up stall', faults: [{ type: 'throttled-between-requests', attributes: { stallMs: 20 } }] },
  { type: 'slicer', name: 'slicer: 3-byte slices both ways', faults: [{ type: 'slicer', attributes: { averageSizeBytes: 3 }, where: 'downstream' }, { type: 'slicer', name: 'up', attributes: { averageSizeBytes: 3 }, where: 'upstream' }] },
];

const serverCases: (FaultCase & { type: string })[] = [
  { type: 'restart', name: 'restart after one message: every socket ends at TCP level', serverFaults: [{ type: 'restart', attributes: { afterMessages: 1 } }], afterOk: 'send-regular', fixed: gateway(/^upstream\.ended_without_close/, /^ok$/), legacy: { knobs: passThrough, code: 1006 } },
  { type: 'end-after-ms', name: 'end-after-ms', serverFaults: [{ type: 'end-after-ms', attributes: { ms: 30 } }], fixed: gateway(/^upstream\.ended_without_close/, /^(ok|closed 1014)$/), legacy: { knobs: passThrough, code: 1006 } },
  { type: 'upgrade-delay', name: 'upgrade-delay over the upgrade deadline', serverFaults: [{ type: 'upgrade-delay', attributes: { ms: 2000 } }], fixed: retried(/^upstream\.timeout\.upgrade no 101 after \d+ ms/), legacy: { knobs: hanging, code: 1006 } },
  { type: 'upgrade-refuse', name: 'upgrade-refuse 403', serverFaults: [{ type: 'upgrade-refuse', attributes: { status: 403 } }], fixed: gateway(/^upstream\.upgrade_refused \(HTTP 403\)/), legacy: { knobs: passThrough, code: 1006 } },
  { type: 'handshake-error', name: 'handshake-error', serverFaults: [{ type: 'handshake-error', attributes: { reason: 'Unauthorized client refused' } }], fixed: gateway(/^upstream\.ended_without_close/, /^error: Unauthorized client refused$/), legacy: { knobs: passThrough, code: 1006 } },
];

function apply(c: FaultCase): void {
  if (c.socksFaults) socks.setFaults(c.socksFaults);
  if (c.serverFaults) codeServer.setFaults(c.serverFaults);
}

/** The fixed profile's promise for one fault: the documented close frame, and nothing left behind. */
async function expectCodedClose(c: (typeof socksCases)[number] | (typeof serverCases)[number]): Promise<void> {
  apply(c);
  const before = new Set(socks.connections().map((conn) => conn.id));
  const result = await attempt(await proxy(), { afterOk: c.afterOk });
  expect(result.code).toBe(c.fixed.code);
  expect(result.reason).toMatch(c.fixed.reason);
  expect(result.reason).toMatch(c.fixed.retried ? / \((\d{2,}|[2-9]) attempts in \d+ ms\)$/ : /^(?!.* attempts in \d+ ms\)$)/);
  expect(result.outcome).toMatch(c.fixed.outcome ?? /^closed 1014$/);
  // Nothing left behind: the session is gone and every tunnel to the SOCKS server is closed.
  await expect.poll(() => proxies.reduce((n, p) => n + p.sessions(), 0)).toBe(0);
  await expect.poll(() => newConnections(before)).toBe(0);
}

describe('every mock-socks fault', () => {
  it('has a case here or a catalog row (a new fault type must get one)', () => {
    const covered = new Set([...socksCases, ...benignSocks, ...scenarios.flatMap((s) => s.tailnet.socksFaults ?? [])].map((c) => c.type));
    expect(faultTypeNames().filter((name) => !covered.has(name))).toEqual([]);
  });

  it.each(socksCases)('$name → close frame, not 1006', expectCodedClose);

  it.each(socksCases.filter((c) => c.legacy))('$name, legacy → 1006', async (c) => {
    apply(c);
    const result = await attempt(await proxy({ legacy: c.legacy?.knobs }), { afterOk: c.afterOk, legacy: true });
    expect(result.code).toBe(c.legacy?.code);
  });

  it.each(benignSocks)('$name → the workbench connects', async (c) => {
    socks.setFaults(c.faults);
    // A slow stream is not a failure: the upgrade deadline here is sized for 3-byte slices, not for
    // the failure cases — and so is the retry window, which caps every attempt (it cut a sliced
    // upgrade at 225 ms of its 300 under load: 1014 `upstream.timeout.upgrade`).
    const slow = { upgradeTimeoutMs: 5000, wsRetryWindowMs: 5000 };
    expect(await attempt(await proxy(slow), { afterOk: 'close-4000' })).toMatchObject({ outcome: 'ok', code: 4000 });
  });
});

describe('every mock-code-server fault', () => {
  it('has a case here or a catalog row (a new fault type must get one)', () => {
    const covered = new Set([...serverCases, ...scenarios.flatMap((s) => s.tailnet.serverFaults ?? [])].map((c) => c.type).concat('stop-sending', 'drop-token'));
    expect(serverFaultTypeNames.filter((name) => !covered.has(name))).toEqual([]);
  });

  it.each(serverCases)('$name → close frame, not 1006', expectCodedClose);

  it.each(serverCases.filter((c) => c.legacy))('$name, legacy → 1006', async (c) => {
    apply(c);
    expect((await attempt(await proxy({ legacy: c.legacy?.knobs }), { afterOk: c.afterOk, legacy: true })).code).toBe(c.legacy?.code);
  });

  it('stop-sending: the proxy keeps the silent session; the workbench giving up closes it with its own code, or the server ending it gives 1014', async () => {
    // The workbench waits 10 s for the handshake (scaled here to 300 ms), then closes the socket itself.
    codeServer.setFaults([{ type: 'stop-sending' }]);
    const wb = workbenchSocket(await proxy());
    const giveUp = setTimeout(() => wb.client.ws.close(4000, 'handshake timed out'), 300);
    const closed = await wb.client.closed;
    clearTimeout(giveUp);
    expect(closed.code === 4000 || (closed.code === 1014 && closed.reason.startsWith('upstream.ended_without_close'))).toBe(true);
  });

  it('drop-token: a reconnection the server cannot match is refused, then closed with 1014', async () => {
    const base = await proxy();
    const token = crypto.randomUUID();
    const first = workbenchSocket(base, { token });
    expect(await first.outcome).toBe('ok');
    first.client.ws.close(4000);
    await first.client.closed;
    codeServer.setFaults([{ type: 'drop-token' }]);
    const again = workbenchSocket(base, { token, reconnection: true });
    expect(await again.outcome).toMatch(/^error: Unknown reconnection token/);
    expect(await again.client.closed).toMatchObject({ code: 1014 });
  });
});
