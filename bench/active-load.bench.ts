// Many WebSockets at once, each busy: every session echoes a small message, sending the next one
// as soon as its echo is back (one in flight per session, like a workbench's request/response
// traffic). Per proxy and session count: messages per second, round-trip p50/p99, and what the
// proxy's process spent (CPU in cores and per message, RSS, how busy its event loop was, how long
// it waited for a CPU). The tailnet behind each proxy and this process (the load generator) are
// measured too, so a figure limited by them shows as such.
//
// Both proxies' sessions are open at once (each proxy has its own tailnet process), and the load
// alternates between them in short windows: on a shared machine, load moves within seconds, and
// a comparison of two runs a minute apart would measure that instead.
//
// The processes are pinned (./placement.ts), every path alike: the proxy with the load generator,
// its tailnet on the other CPU — where the scheduler put them in most windows. In the other
// windows a whole chain landed on one CPU and delivered about half the messages.
import type { BenchOptions } from './options.ts';
import { clientMessage, openRawWebSocket, type RawWebSocket } from './raw-ws.ts';
import { loadAverage, median, pairedRatio, percentile, rotated } from './stats.ts';
import type { CostSample } from './probe.ts';
import type { BenchGoal, BenchResult } from './table.ts';
import { pinProxies, PROXY, startWsPaths, type WsPath } from './ws-paths.ts';

/** A window's warm-up and measured time grow with the session count: at 5,000 a round trip takes about half a second. */
const warmupMs = (sessions: number) => 500 + sessions * 0.3;
const measureMs = (sessions: number) => 1500 + sessions * 0.5;
const MESSAGE_BYTES = 32;
const OPEN_BATCH = 250;
const MiB = 1024 * 1024;

interface WindowSample {
  msgsPerS: number;
  rttMs: Float64Array;
  proxy: CostSample;
  tailnet: CostSample;
  generatorCores: number;
}

async function openSessions(path: WsPath, count: number): Promise<RawWebSocket[]> {
  const sessions: RawWebSocket[] = [];
  for (let i = 0; i < count; i += OPEN_BATCH) {
    sessions.push(...(await Promise.all(Array.from({ length: Math.min(OPEN_BATCH, count - i) }, () => openRawWebSocket(path.port, path.target)))));
  }
  return sessions;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One window of the closed loop on every session of one path: a warm-up, the measured time, then the echoes in flight drained. */
async function loadWindow(path: WsPath, sessions: RawWebSocket[]): Promise<WindowSample> {
  const message = clientMessage(MESSAGE_BYTES);
  const sentAt = new Float64Array(sessions.length);
  const rtts = new Float64Array(4_000_000);
  let recorded = 0;
  let measuring = false;
  let running = true;
  let inFlight = 0;
  let drained: () => void = () => {};
  for (const [i, ws] of sessions.entries()) {
    ws.onMessages = () => {
      const now = performance.now();
      if (measuring && recorded < rtts.length) rtts[recorded++] = now - (sentAt[i] ?? now);
      if (running) {
        sentAt[i] = now;
        ws.send(message);
      } else if (--inFlight === 0) drained();
    };
  }
  for (const [i, ws] of sessions.entries()) {
    sentAt[i] = performance.now();
    ws.send(message);
  }
  await sleep(warmupMs(sessions.length));
  path.server?.start();
  path.tailnet.start();
  const cpu = process.cpuUsage();
  const started = performance.now();
  measuring = true;
  await sleep(measureMs(sessions.length));
  measuring = false;
  const seconds = (performance.now() - started) / 1000;
  const generator = process.cpuUsage(cpu);
  const [proxy, tailnet] = await Promise.all([path.server?.stop(), path.tailnet.stop()]);
  // Every session has one message in flight: stop sending and wait for those echoes, so the next window starts from quiet.
  inFlight = sessions.length;
  running = false;
  await Promise.race([new Promise<void>((resolve) => (drained = resolve)), sleep(10_000)]);
  if (!proxy) throw new Error('active load: no proxy process to measure');
  return { msgsPerS: recorded / seconds, rttMs: rtts.slice(0, recorded), proxy, tailnet, generatorCores: (generator.user + generator.system) / 1e6 / seconds };
}

const cores = (s: CostSample) => s.cpuUs / s.wallUs;

interface LoadFigures {
  msgsPerS: number;
  p50: number;
  p99: number;
  cores: number;
  cpuPerMsg: number;
  rss: number;
  loop: number;
  runQueue: number;
  delay: number;
  tailnet: number;
  tailnetRunQueue: number;
  generator: number;
}

function figuresOf(windows: WindowSample[]): LoadFigures {
  const pick = (f: (x: WindowSample) => number) => median(windows.map(f));
  const rtts: number[] = [];
  for (const w of windows) for (const rtt of w.rttMs) rtts.push(rtt);
  const wall = windows.reduce((sum, w) => sum + w.proxy.wallUs, 0) / 1e6;
  const messages = windows.reduce((sum, w) => sum + w.msgsPerS * (w.proxy.wallUs / 1e6), 0);
  return {
    msgsPerS: pick((w) => w.msgsPerS),
    p50: percentile(rtts, 0.5),
    p99: percentile(rtts, 0.99),
    cores: windows.reduce((sum, w) => sum + w.proxy.cpuUs, 0) / 1e6 / wall,
    cpuPerMsg: windows.reduce((sum, w) => sum + w.proxy.cpuUs, 0) / messages,
    rss: Math.max(...windows.map((w) => w.proxy.rssBytes)) / MiB,
    loop: pick((w) => w.proxy.loopUtilization),
    runQueue: pick((w) => w.proxy.runQueueShare),
    delay: pick((w) => w.proxy.loopDelayP99Us) / 1000,
    tailnet: pick((w) => cores(w.tailnet)),
    tailnetRunQueue: pick((w) => w.tailnet.runQueueShare),
    generator: pick((w) => w.generatorCores),
  };
}

export async function run({ sessions: sessionCounts, windows, baseline, placement }: BenchOptions): Promise<BenchResult> {
  const loadBefore = loadAverage();
  const { proxies, close } = await startWsPaths({ tailnetPerPath: true, baseline });
  const pinning = pinProxies(proxies, placement, { tailnetApart: true });
  const BASE = proxies[1]?.name ?? '';
  const rows: string[][] = [];
  const diagnostics: string[][] = [];
  const goals: BenchGoal[] = [];
  try {
    for (const count of sessionCounts) {
      const sessions = new Map<WsPath, RawWebSocket[]>();
      for (const path of proxies) sessions.set(path, await openSessions(path, count));
      const samples = new Map<string, WindowSample[]>(proxies.map((p) => [p.name, []]));
      // The first turn warms both paths (JIT, heaps grown to this many sockets) and is not counted.
      for (let window = -1; window < windows; window++) {
        for (const path of rotated(proxies, window + 1)) {
          const sample = await loadWindow(path, sessions.get(path) ?? []);
          if (window >= 0) samples.get(path.name)?.push(sample);
        }
      }
      await Promise.all([...sessions.values()].flat().map((ws) => ws.close()));
      const [ours, usual] = [figuresOf(samples.get(PROXY) ?? []), figuresOf(samples.get(BASE) ?? [])];
      for (const [name, f] of [[PROXY, ours], [BASE, usual]] as const) {
        rows.push([String(count), name, f.msgsPerS.toFixed(0), f.p50.toFixed(1), f.p99.toFixed(1), f.cores.toFixed(2), f.cpuPerMsg.toFixed(1), f.rss.toFixed(0)]);
        diagnostics.push([String(count), name, f.loop.toFixed(2), f.runQueue.toFixed(2), f.delay.toFixed(1), f.tailnet.toFixed(2), f.tailnetRunQueue.toFixed(2), f.generator.toFixed(2)]);
      }
      const ratio = (key: keyof LoadFigures) => (ours[key] / usual[key]).toFixed(2);
      // Window by window: the two proxies' windows of one turn are side by side in time.
      const paired = (figure: (w: WindowSample) => number) => pairedRatio((samples.get(PROXY) ?? []).map(figure), (samples.get(BASE) ?? []).map(figure));
      const windowPercentile = (p: number) => (w: WindowSample) => percentile(Array.from(w.rttMs), p);
      rows.push([String(count), `${PROXY} ÷ baseline`, paired((w) => w.msgsPerS).toFixed(2), paired(windowPercentile(0.5)).toFixed(2), paired(windowPercentile(0.99)).toFixed(2), ratio('cores'), ratio('cpuPerMsg'), ratio('rss')]);
      if (count === Math.max(...sessionCounts)) {
        goals.push({ goal: `${count} active sessions: msgs/s`, ours: ours.msgsPerS.toFixed(0), baseline: usual.msgsPerS.toFixed(0), ratio: paired((w) => w.msgsPerS), atLeast: 1 });
        goals.push({ goal: `${count} active sessions: RTT p99`, ours: `${ours.p99.toFixed(0)} ms`, baseline: `${usual.p99.toFixed(0)} ms`, ratio: paired(windowPercentile(0.99)), atMost: 1 });
      }
    }
  } finally {
    pinning.undo();
    await close();
  }
  const how = `Each session sends a ${MESSAGE_BYTES}-byte message and the next one when its echo is back. Both proxies' sessions stay open; the load alternates between them in ${windows} windows each (${sessionCounts.map((n) => `${n}: ${warmupMs(n) / 1000} s of warm-up, ${measureMs(n) / 1000} s measured`).join('; ')}; then the echoes in flight drained), the order rotating, after a warm-up turn. msgs/s: median of the windows; RTT percentiles over all of them; ratio row: msgs/s and RTT the median of the turns' ratios (the two proxies side by side in time), CPU and RSS over all windows. Load average ${loadBefore} before, ${loadAverage()} after (2 cores, shared).`;
  return {
    goals,
    tables: [
    {
      title: 'Active sessions: echo throughput, round trip and the proxy process',
      columns: ['sessions', 'path', 'msgs/s', 'RTT p50 ms', 'RTT p99 ms', 'proxy CPU (cores)', 'proxy CPU µs per msg', 'proxy RSS MiB'],
      rows,
      notes: [pinning.note, how],
    },
    {
      title: 'Active sessions: where the time goes',
      columns: ['sessions', 'path', 'proxy event loop busy', 'proxy waiting for a CPU', 'proxy event loop delay p99 ms', 'tailnet CPU (cores)', 'tailnet waiting for a CPU', 'load generator CPU (cores)'],
      rows: diagnostics,
      notes: [
        'Event loop busy: share of the wall time in callbacks (performance.eventLoopUtilization). Waiting for a CPU: share of the wall time the main thread was runnable but not running (Linux schedstat run delay) — a process that looks idle on a loaded machine may be queued, not waiting for I/O. The tailnet is the echo upstream + mock-socks behind that proxy; the load generator is the bench process.',
      ],
    },
  ],
  };
}
