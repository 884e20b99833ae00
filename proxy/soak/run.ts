// `npm run soak -- [--seconds 180] [--concurrency 64] [--seed 1] [--round-sessions 2000]`: a bounded
// soak of the proxy on loopback. The proxy runs alone in a child process (./proxy-host.ts) behind
// mock-socks (tailscaled) and an echo upstream; timings are scaled to milliseconds.
//
//   1. leak rounds: a warm-up, then 3 rounds of ROUND_SESSIONS sessions (half reset, half closed),
//      heap after GC and descriptors measured after each;
//   2. churn for SECONDS: sessions opened and ended all the time (echoes, clean closes, resets),
//      HTTP and /readyz requests, faults on about 10 % of SOCKS connections (resets mid-session,
//      CONNECT replies past the deadline, slow greetings) plus the peer flapping down and up, and
//      hostile frames on 5 % of sessions; heap after GC and RSS sampled every 10 s;
//   3. settle: no session open, descriptors back to the baseline, heap back to where it was before the churn.
//
// It fails (exit 1) on a leak, on any 1006 a browser sees, on a close code nothing explains, or if
// the proxy process dies. Its figures are the last lines it prints.
import { mulberry32 } from '../../common/prng.ts';
import { startMockSocks, type FaultSpec, type MockSocksHandle } from '../../mock-socks/index.ts';
import { ConfigError, optionTable, readOptions, type OptionSpec } from '../options.ts';
import { startEchoUpstream } from '../test/echo-upstream.ts';
import { startProxyHost } from './host.ts';
import type { HostMeasure } from './proxy-host.ts';
import { closePayload, maskedFrame, openRawSession } from './raw-client.ts';
import { describeRounds, heapGrowth, measuredRounds, settled } from './rounds.ts';
import { count, echo, echoThenEnd, httpGet, newTally, type Tally } from './sessions.ts';

type SoakOption = 'seconds' | 'concurrency' | 'seed' | 'roundSessions';

const specs: OptionSpec<SoakOption>[] = [
  { key: 'seconds', env: 'SOAK_SECONDS', flag: 'seconds', kind: 'int', default: 180, min: 0, max: 24 * 3600, doc: 'how long the churn phase runs' },
  { key: 'concurrency', env: 'SOAK_CONCURRENCY', flag: 'concurrency', kind: 'int', default: 64, min: 1, max: 2000, doc: 'sessions open at once' },
  { key: 'seed', env: 'SOAK_SEED', flag: 'seed', kind: 'int', default: 1, min: 0, max: 2 ** 31 - 1, doc: 'seed of every random choice (and of mock-socks faults)' },
  { key: 'roundSessions', env: 'SOAK_ROUND_SESSIONS', flag: 'round-sessions', kind: 'int', default: 2000, min: 10, max: 100_000, doc: 'sessions per leak round' },
];

const KiB = 1024;
const MiB = 1024 * KiB;
const peer = '100.84.184.84';
/** Heap after GC may end this far above where it settled before the churn (V8's own variation between collections is ~200 KiB). */
const maxHeapDrift = 1 * MiB;

/** Close codes a browser may see in the churn, and why. */
const explained: Record<number, string> = {
  1000: 'its own clean close, answered',
  1002: 'a hostile frame refused (RFC 6455 §5, §7.4)',
  1007: 'a close reason that is not UTF-8',
  1009: 'a frame over MAX_PAYLOAD_BYTES',
  1014: 'a fault on the SOCKS hop or the peer down, named in the reason',
};

/** Frames a browser must never send, each with the code the proxy answers it with. */
const hostile: { name: string; bytes: Buffer; code: number }[] = [
  { name: 'unmasked text', bytes: Buffer.concat([Buffer.from([0x81, 5]), Buffer.from('Hello')]), code: 1002 },
  { name: 'RSV1 set', bytes: Buffer.from([0xc1, 0x80, 0, 0, 0, 0]), code: 1002 },
  { name: 'reserved opcode 0x3', bytes: Buffer.from([0x83, 0x80, 0, 0, 0, 0]), code: 1002 },
  { name: 'orphan continuation', bytes: maskedFrame(0x0, Buffer.from('x')), code: 1002 },
  { name: 'close announcing 64 MiB', bytes: Buffer.from([0x88, 0xff, 0, 0, 0, 0, 4, 0, 0, 0, 1, 2, 3, 4]), code: 1002 },
  { name: 'close code 1006', bytes: maskedFrame(0x8, closePayload(1006)), code: 1002 },
  { name: 'close reason not UTF-8', bytes: maskedFrame(0x8, Buffer.concat([closePayload(1000), Buffer.from([0xff, 0xfe])])), code: 1007 },
  { name: 'frame over the size limit', bytes: Buffer.from([0x82, 0xff, 0, 0, 0, 1, 0, 0, 0, 0, 1, 2, 3, 4]), code: 1009 },
];

function slopePerMinute(samples: { t: number; value: number }[]): number {
  if (samples.length < 2) return 0;
  const n = samples.length;
  const mt = samples.reduce((s, p) => s + p.t, 0) / n;
  const mv = samples.reduce((s, p) => s + p.value, 0) / n;
  const num = samples.reduce((s, p) => s + (p.t - mt) * (p.value - mv), 0);
  const den = samples.reduce((s, p) => s + (p.t - mt) ** 2, 0);
  return den === 0 ? 0 : (num / den) * 60_000;
}

/** One churn session: what kind it is decides how it ends and which codes explain its close. */
async function churnSession(port: number, pick: () => number, tally: Tally): Promise<void> {
  const kind = pick();
  if (kind < 0.1) {
    // An HTTP request or a readiness check: every failure has a status naming its cause.
    const status = await httpGet(port, pick() < 0.5 ? '/readyz' : '/dev/code/headers');
    tally.http++;
    if (![200, 502, 503, 504].includes(status)) tally.unexpected.push(`http status ${status}`);
    return;
  }
  const session = await openRawSession('127.0.0.1', port, `/dev/code/stable-soak?reconnectionToken=${Math.floor(pick() * 1e9)}`);
  tally.sessions++;
  const record = (code: number, expected: number[]) => {
    count(tally, code);
    if (!expected.includes(code)) tally.unexpected.push(`closed ${code} (${explained[code] ?? 'unexplained'}), expected ${expected.join(' or ')}`);
  };
  const echoes = 1 + Math.floor(pick() * 4);
  for (let i = 0; i < echoes; i++) {
    if (!(await echo(session, 'x'.repeat(1 + Math.floor(pick() * 16 * KiB))))) return record(await session.closed, [1014]); // a fault ended it
  }
  if (kind < 0.15) {
    const frame = hostile[Math.floor(pick() * hostile.length)]!;
    session.raw(frame.bytes);
    return record(await session.closed, [frame.code, 1014]);
  }
  if (pick() < 0.3) return session.reset();
  record(await session.close(1000), [1000, 1014]);
}

interface Churn {
  socks: MockSocksHandle;
  peer: string;
  pick: () => number;
  concurrency: number;
  port: number;
}

/** `concurrency` sessions at a time for `ms`, with mock-socks faults on and the peer flapping; returns the number of flaps. */
async function churn(c: Churn, ms: number, tally: Tally): Promise<number> {
  const faults: FaultSpec[] = [
    { type: 'reset', name: 'reset-mid-session', attributes: { afterBytes: 400 }, where: 'downstream', toxicity: 0.04 },
    { type: 'slow-handshake', name: 'connect-past-deadline', attributes: { delayMs: 2000 }, where: 'connect', toxicity: 0.03 },
    { type: 'slow-handshake', name: 'slow-greeting', attributes: { delayMs: 60 }, where: 'greeting', toxicity: 0.03 },
  ];
  c.socks.setFaults(faults);
  let flaps = 0;
  let back: NodeJS.Timeout | undefined;
  const flapper = setInterval(() => {
    flaps++;
    c.socks.setPeerState(c.peer, 'down');
    back = setTimeout(() => c.socks.setPeerState(c.peer, 'up'), 300);
  }, 5000);
  const end = Date.now() + ms;
  const worker = async () => {
    while (Date.now() < end) await churnSession(c.port, c.pick, tally).catch((error: Error) => tally.unexpected.push(`session failed: ${error.message}`));
  };
  await Promise.all(Array.from({ length: c.concurrency }, worker));
  clearInterval(flapper);
  clearTimeout(back);
  c.socks.setPeerState(c.peer, 'up');
  c.socks.clearFaults();
  return flaps;
}

export async function soak(argv: readonly string[]): Promise<boolean> {
  const options = readOptions(specs, process.env, argv) as Record<SoakOption, number>;
  const upstream = await startEchoUpstream();
  // Deadlines scaled from seconds to a second or two: short enough for a peer that is down to cost
  // little, long enough that a loaded machine does not turn a healthy dial into a timeout.
  const socks = await startMockSocks({ peers: [{ address: peer, ports: { 8888: `127.0.0.1:${upstream.port}` } }], dialTimeoutMs: 1000, seed: options.seed, logStream: null });
  const host = await startProxyHost({
    socksUrl: `socks5h://localhost:${socks.port}`,
    upstreamUrl: `http://${peer}:8888`,
    accessLog: false,
    socksConnectTimeoutMs: 1000,
    socksGreetingTimeoutMs: 1000,
    socksConnectReplyTimeoutMs: 1500,
    upgradeTimeoutMs: 2000,
    responseTimeoutMs: 2000,
    keepAliveTimeoutMs: 200,
    shutdownGraceMs: 300,
    upstreamEndSettleMs: 20,
  });
  let crashed = false;
  const checks: { what: string; ok: boolean; saw: string }[] = [];
  try {
    const started = Date.now();
    // 1. Leak rounds.
    const rounds = await measuredRounds(host, 3, options.roundSessions, options.concurrency, (i, tally) => echoThenEnd(host.port, i, tally));
    console.log(describeRounds(`leak rounds (3 × ${options.roundSessions} sessions)`, rounds));
    checks.push({ what: 'leak rounds: heap after GC grows < 200 KiB from round 1 to 3', ok: heapGrowth(rounds) < 200 * KiB, saw: `${(heapGrowth(rounds) / KiB).toFixed(1)} KiB` });
    checks.push({ what: 'leak rounds: fds back to baseline after each round', ok: rounds.measures.every((m) => m.fds === rounds.baseline.fds), saw: rounds.measures.map((m) => m.fds).join(', ') });
    checks.push({ what: 'leak rounds: no 1006, every clean close answered with 1000', ok: rounds.tally.unexpected.length === 0 && !rounds.tally.codes.has(1006), saw: `${rounds.tally.codes.get(1006) ?? 0} × 1006, ${rounds.tally.codes.get(1014) ?? 0} × 1014 (a deadline under load), ${rounds.tally.unexpected.length} unexpected ${rounds.tally.unexpected.slice(0, 3).join('; ')}` });

    // 2. Churn with faults and hostile frames: a short warm-up of the same churn first, so every
    // path it takes (faults, refusals, HTTP) is compiled before the heap it settles to is compared.
    const pick = mulberry32(options.seed);
    const faulted = { socks, peer, pick, concurrency: options.concurrency, port: host.port };
    await churn(faulted, Math.min(10, Math.max(2, options.seconds / 10)) * 1000, newTally());
    const churnBaseline = await settled(host);
    const tally = newTally();
    const samples: { t: number; heap: number; rss: number }[] = [];
    const churnStart = Date.now();
    const sampler = setInterval(() => {
      void host.measure().then((m) => samples.push({ t: Date.now() - churnStart, heap: m.heapAfterGc, rss: m.rss }), () => {});
    }, 10_000);
    const flaps = await churn(faulted, options.seconds * 1000, tally);
    clearInterval(sampler);

    // 3. Settle.
    const final: HostMeasure = await settled(host);
    const minutes = Math.max((Date.now() - churnStart) / 60_000, 1 / 60_000);
    const heapSlope = slopePerMinute(samples.map((s) => ({ t: s.t, value: s.heap })));
    const rssSlope = slopePerMinute(samples.map((s) => ({ t: s.t, value: s.rss })));
    const drift = final.heapAfterGc - churnBaseline.heapAfterGc;
    const codes = [...tally.codes.entries()].sort(([a], [b]) => a - b).map(([code, n]) => `${code} × ${n}`).join(', ');
    console.log(`churn: ${minutes.toFixed(1)} min, ${tally.sessions} WebSocket sessions + ${tally.http} HTTP requests (${Math.round((tally.sessions + tally.http) / minutes / 60)} per s), ${flaps} peer flaps; closes seen by browsers: ${codes}`);
    console.log(`churn: heap after GC ${samples.map((s) => (s.heap / MiB).toFixed(1)).join(' → ')} MiB (slope ${(heapSlope / KiB).toFixed(0)} KiB/min); RSS ${samples.map((s) => (s.rss / MiB).toFixed(0)).join(' → ')} MiB (slope ${(rssSlope / MiB).toFixed(2)} MiB/min)`);
    console.log(`settled: heap after GC ${(final.heapAfterGc / MiB).toFixed(2)} MiB (${drift >= 0 ? '+' : ''}${(drift / KiB).toFixed(0)} KiB since before the churn), RSS ${(final.rss / MiB).toFixed(0)} MiB, fds ${rounds.baseline.fds} before → ${final.fds} after, ${final.sessions} sessions open`);
    checks.push({ what: 'churn: no browser saw 1006', ok: !tally.codes.has(1006), saw: `${tally.codes.get(1006) ?? 0} × 1006` });
    checks.push({ what: 'churn: every close explained', ok: tally.unexpected.length === 0, saw: tally.unexpected.slice(0, 5).join('; ') || 'all explained' });
    checks.push({ what: `settled: heap after GC within ${maxHeapDrift / KiB} KiB of where it was before the churn`, ok: drift < maxHeapDrift, saw: `${(drift / KiB).toFixed(0)} KiB` });
    checks.push({ what: 'settled: fds back to baseline, no session open', ok: final.fds === rounds.baseline.fds && final.sessions === 0, saw: `${final.fds} fds (baseline ${rounds.baseline.fds}), ${final.sessions} sessions` });
    console.log(`soak: ${((Date.now() - started) / 60_000).toFixed(1)} min in all, seed ${options.seed}`);
  } catch (error) {
    crashed = true;
    checks.push({ what: 'the proxy process stayed up and answered', ok: false, saw: (error as Error).message });
  } finally {
    await host.close().catch(() => (crashed = true));
    await socks.close();
    await upstream.close();
  }
  if (!crashed) checks.push({ what: 'the proxy process stayed up and shut down cleanly', ok: true, saw: 'yes' });
  for (const check of checks) console.log(`${check.ok ? 'ok  ' : 'FAIL'} ${check.what}: ${check.saw}`);
  const failed = checks.filter((c) => !c.ok).length;
  console.log(`${checks.length - failed} passed, ${failed} failed`);
  return failed === 0;
}

export async function main(argv: string[]): Promise<void> {
  if (argv.includes('--help')) {
    console.log(['usage: npm run soak -- [options]', '', ...optionTable(specs)].join('\n'));
    return;
  }
  try {
    process.exitCode = (await soak(argv)) ? 0 : 1;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`soak: ${error.message}`);
    process.exit(2);
  }
}
