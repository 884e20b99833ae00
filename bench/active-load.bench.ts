// Many WebSockets at once, each busy: every session echoes a small message, sending the next one
// as soon as its echo is back (one in flight per session, like a workbench's request/response
// traffic). Per path and session count: messages per second, round-trip p50/p99, and what the
// proxy's process spent (CPU in cores, RSS, how busy its event loop was). The tailnet process and
// this one (the load generator) are measured too, so a figure limited by them shows as such.
import { clientMessage, openRawWebSocket, type RawWebSocket } from './raw-ws.ts';
import { loadAverage, median, percentile, rotated } from './stats.ts';
import type { CostSample } from './probe.ts';
import type { BenchTable } from './table.ts';
import { PROXY, startWsPaths, USUAL, type WsPath } from './ws-paths.ts';

const SESSION_COUNTS = (process.env.ACTIVE_LOAD_SESSIONS ?? '100,1000,5000').split(',').map(Number);
const ROUNDS = 3;
const WARMUP_MS = 1000;
const MEASURE_MS = 4000;
const MESSAGE_BYTES = 32;
const OPEN_BATCH = 250;

interface LoadSample {
  msgsPerS: number;
  rttMs: Float64Array;
  proxy: CostSample;
  tailnet: CostSample;
  generatorCores: number;
  opened: number;
}

async function openSessions(path: WsPath, count: number): Promise<RawWebSocket[]> {
  const sessions: RawWebSocket[] = [];
  for (let i = 0; i < count; i += OPEN_BATCH) {
    sessions.push(...(await Promise.all(Array.from({ length: Math.min(OPEN_BATCH, count - i) }, () => openRawWebSocket(path.port, path.target)))));
  }
  return sessions;
}

/** Runs the closed loop on every session; measures between WARMUP_MS and WARMUP_MS + MEASURE_MS. */
async function load(path: WsPath, sessions: RawWebSocket[], tailnet: WsPath['server']): Promise<Omit<LoadSample, 'opened'>> {
  const message = clientMessage(MESSAGE_BYTES);
  const sentAt = new Float64Array(sessions.length);
  const rtts = new Float64Array(4_000_000);
  let recorded = 0;
  let measuring = false;
  let running = true;
  for (const [i, ws] of sessions.entries()) {
    ws.onMessages = () => {
      const now = performance.now();
      if (measuring && recorded < rtts.length) rtts[recorded++] = now - (sentAt[i] ?? now);
      if (!running) return;
      sentAt[i] = now;
      ws.send(message);
    };
  }
  for (const [i, ws] of sessions.entries()) {
    sentAt[i] = performance.now();
    ws.send(message);
  }
  await new Promise((resolve) => setTimeout(resolve, WARMUP_MS));
  path.server?.start();
  tailnet?.start();
  const cpu = process.cpuUsage();
  const started = performance.now();
  measuring = true;
  await new Promise((resolve) => setTimeout(resolve, MEASURE_MS));
  measuring = false;
  const seconds = (performance.now() - started) / 1000;
  const generator = process.cpuUsage(cpu);
  running = false;
  const [proxy, tailnetCost] = await Promise.all([path.server?.stop(), tailnet?.stop()]);
  // Let the last echoes arrive, so closing does not race them.
  await new Promise((resolve) => setTimeout(resolve, 200));
  if (!proxy || !tailnetCost) throw new Error('active load: no process to measure');
  return { msgsPerS: recorded / seconds, rttMs: rtts.subarray(0, recorded), proxy, tailnet: tailnetCost, generatorCores: (generator.user + generator.system) / 1e6 / seconds };
}

const cores = (s: CostSample) => s.cpuUs / s.wallUs;
const MiB = 1024 * 1024;

export async function run(): Promise<BenchTable[]> {
  const loadBefore = loadAverage();
  const { proxies, tailnet, close } = await startWsPaths();
  const rows: string[][] = [];
  const diagnostics: string[][] = [];
  try {
    for (const count of SESSION_COUNTS) {
      const samples = new Map<string, LoadSample[]>(proxies.map((p) => [p.name, []]));
      for (let round = 0; round < ROUNDS; round++) {
        for (const path of rotated(proxies, round)) {
          const sessions = await openSessions(path, count);
          const sample = await load(path, sessions, tailnet);
          samples.get(path.name)?.push({ ...sample, opened: sessions.length });
          await Promise.all(sessions.map((ws) => ws.close()));
        }
      }
      const figures = (name: string) => {
        const s = samples.get(name) ?? [];
        const pick = (f: (x: LoadSample) => number) => median(s.map(f));
        return {
          msgsPerS: pick((x) => x.msgsPerS),
          p50: pick((x) => percentile(Array.from(x.rttMs), 0.5)),
          p99: pick((x) => percentile(Array.from(x.rttMs), 0.99)),
          cores: pick((x) => cores(x.proxy)),
          rss: pick((x) => x.proxy.rssBytes) / MiB,
          loop: pick((x) => x.proxy.loopUtilization),
          delay: pick((x) => x.proxy.loopDelayP99Us) / 1000,
          cpuPerMsg: pick((x) => x.proxy.cpuUs / (x.msgsPerS * (x.proxy.wallUs / 1e6))),
          tailnet: pick((x) => cores(x.tailnet)),
          generator: pick((x) => x.generatorCores),
        };
      };
      const [ours, usual] = [figures(PROXY), figures(USUAL)];
      for (const [name, f] of [[PROXY, ours], [USUAL, usual]] as const) {
        rows.push([String(count), name, f.msgsPerS.toFixed(0), f.p50.toFixed(1), f.p99.toFixed(1), f.cores.toFixed(2), f.cpuPerMsg.toFixed(1), f.rss.toFixed(0)]);
        diagnostics.push([String(count), name, f.loop.toFixed(2), f.delay.toFixed(1), f.tailnet.toFixed(2), f.generator.toFixed(2)]);
      }
      rows.push([String(count), `${PROXY} ÷ usual stack`, (ours.msgsPerS / usual.msgsPerS).toFixed(2), (ours.p50 / usual.p50).toFixed(2), (ours.p99 / usual.p99).toFixed(2), (ours.cores / usual.cores).toFixed(2), (ours.cpuPerMsg / usual.cpuPerMsg).toFixed(2), (ours.rss / usual.rss).toFixed(2)]);
    }
  } finally {
    await close();
  }
  const how = `Each session sends a ${MESSAGE_BYTES}-byte message and the next one when its echo is back; ${MEASURE_MS / 1000} s measured after ${WARMUP_MS / 1000} s of warm-up. Median of ${ROUNDS} rounds, paths interleaved in a rotating order; sessions opened afresh each round. Load average ${loadBefore} before, ${loadAverage()} after (2 cores, shared).`;
  return [
    {
      title: 'Active sessions: echo throughput, round trip and the proxy process',
      columns: ['sessions', 'path', 'msgs/s', 'RTT p50 ms', 'RTT p99 ms', 'proxy CPU (cores)', 'proxy CPU µs per msg', 'proxy RSS MiB'],
      rows,
      notes: [how],
    },
    {
      title: 'Active sessions: where the time goes',
      columns: ['sessions', 'path', 'proxy event loop busy', 'proxy event loop delay p99 ms', 'tailnet process CPU (cores)', 'load generator CPU (cores)'],
      rows: diagnostics,
      notes: ['The tailnet process is the echo upstream + mock-socks, shared by both paths; the load generator is the bench process. Event loop busy = share of wall time running callbacks (performance.eventLoopUtilization).'],
    },
  ];
}
