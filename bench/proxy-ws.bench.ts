// One WebSocket at a time through each path (./ws-paths.ts): throughput, round trips at four
// message sizes, opening, and what each message costs the proxy's process (CPU, JS heap). The
// proxy runs as the bundle the Dockerfile ships; the client is a lean raw-socket one
// (./raw-ws.ts) in this process, so it is not what limits the figures.
import { clientMessage, openRawWebSocket, type RawWebSocket } from './raw-ws.ts';
import { loadAverage, median, percentile, rotated } from './stats.ts';
import type { CostSample } from './probe.ts';
import type { BenchTable } from './table.ts';
import { PROXY, startWsPaths, USUAL, type WsPath } from './ws-paths.ts';

const KiB = 1024;
const MiB = 1024 * KiB;
const ROUNDS = 5;
/** Payload bytes echoed per throughput figure, and how much may be in flight. */
const THROUGHPUT = [
  { size: KiB, total: 24 * MiB },
  { size: 64 * KiB, total: 48 * MiB },
  { size: MiB, total: 48 * MiB },
];
const WINDOW_BYTES = 8 * MiB;
const ROUND_TRIPS = [
  { size: 16, count: 2000 },
  { size: KiB, count: 2000 },
  { size: 64 * KiB, count: 300 },
  { size: MiB, count: 40 },
];
const OPENS = 30;

/** Echoed payload per second: `total` bytes in messages of `size`, at most WINDOW_BYTES in flight. */
async function throughput(path: WsPath, size: number, total: number): Promise<number> {
  const ws = await openRawWebSocket(path.port, path.target);
  const message = clientMessage(size);
  const count = Math.max(1, Math.floor(total / size));
  const window = Math.max(1, Math.floor(WINDOW_BYTES / size));
  const started = performance.now();
  await new Promise<void>((resolve) => {
    let sent = 0;
    let received = 0;
    const pump = () => {
      for (; sent < count && sent - received < window; sent++) ws.send(message);
    };
    ws.onFrames = (ended) => {
      received += ended;
      if (received >= count) resolve();
      else pump();
    };
    pump();
  });
  const seconds = (performance.now() - started) / 1000;
  await ws.close();
  return (count * size) / seconds;
}

/** Sequential round trips of one message size on an open socket, µs each. */
function roundTrips(ws: RawWebSocket, size: number, count: number): Promise<number[]> {
  const message = clientMessage(size);
  const times: number[] = [];
  return new Promise((resolve) => {
    let started = performance.now();
    ws.onFrames = () => {
      const now = performance.now();
      times.push((now - started) * 1000);
      if (times.length === count) return resolve(times);
      started = now;
      ws.send(message);
    };
    ws.send(message);
  });
}

/** Opening a socket until its first echo: what a workbench waits for, ms each. */
async function opens(path: WsPath, count: number): Promise<number[]> {
  const message = clientMessage(5);
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const ws = await openRawWebSocket(path.port, path.target);
    await new Promise<void>((resolve) => {
      ws.onFrames = () => resolve();
      ws.send(message);
    });
    times.push(performance.now() - started);
    await ws.close();
  }
  return times;
}

/** `work` inside a measurement window of the path's server: what it cost per message. */
async function measured<T>(path: WsPath, messages: number, work: () => Promise<T>): Promise<{ result: T; cost?: PerMessage }> {
  path.server?.start();
  const result = await work();
  const sample = await path.server?.stop();
  return { result, cost: sample && perMessage(sample, messages) };
}

interface PerMessage {
  cpuUs: number;
  heapBytes: number;
  gcs: number;
}

const perMessage = (s: CostSample, n: number): PerMessage => ({ cpuUs: s.cpuUs / n, heapBytes: s.allocatedBytes / n, gcs: s.gcs / n });

interface Samples {
  throughput: number[][];
  rttP50: number[][];
  rttAll: number[][];
  open: number[];
  /** Per round: cost per sequential 16-byte round trip, and per pipelined 1 KiB message. */
  roundTripCost: PerMessage[];
  pipelinedCost: PerMessage[];
}

async function measureRound(path: WsPath, s: Samples): Promise<void> {
  for (const [i, { size, total }] of THROUGHPUT.entries()) {
    const { result, cost } = await measured(path, total / size, () => throughput(path, size, total));
    s.throughput[i]?.push(result);
    if (i === 0 && cost) s.pipelinedCost.push(cost);
  }
  const ws = await openRawWebSocket(path.port, path.target);
  await roundTrips(ws, 16, 200); // warm the connection
  for (const [i, { size, count }] of ROUND_TRIPS.entries()) {
    const { result, cost } = await measured(path, count, () => roundTrips(ws, size, count));
    s.rttP50[i]?.push(median(result));
    s.rttAll[i]?.push(...result);
    if (i === 0 && cost) s.roundTripCost.push(cost);
  }
  await ws.close();
  s.open.push(median(await opens(path, OPENS)));
}

const emptySamples = (): Samples => ({
  throughput: THROUGHPUT.map(() => []),
  rttP50: ROUND_TRIPS.map(() => []),
  rttAll: ROUND_TRIPS.map(() => []),
  open: [],
  roundTripCost: [],
  pipelinedCost: [],
});

const sizeLabel = (size: number) => (size >= MiB ? `${size / MiB} MiB` : size >= KiB ? `${size / KiB} KiB` : `${size} B`);
const ratio = (a: number, b: number) => (a / b).toFixed(2);

export async function run(): Promise<BenchTable[]> {
  const loadBefore = loadAverage();
  const { direct, proxies, close } = await startWsPaths();
  const paths = [direct, ...proxies];
  const samples = new Map(paths.map((path) => [path.name, emptySamples()]));
  try {
    for (const path of paths) await measureRound(path, emptySamples()); // JIT warm-up, discarded
    for (let round = 0; round < ROUNDS; round++) {
      for (const path of rotated(paths, round)) await measureRound(path, samples.get(path.name) ?? emptySamples());
    }
  } finally {
    await close();
  }
  const of = (name: string) => samples.get(name) ?? emptySamples();
  const throughputOf = (name: string) => THROUGHPUT.map((_, i) => median(of(name).throughput[i] ?? []) / MiB);
  const p50Of = (name: string) => ROUND_TRIPS.map((_, i) => median(of(name).rttP50[i] ?? []));
  const costOf = (name: string) => {
    const pick = (costs: PerMessage[], key: keyof PerMessage) => median(costs.map((c) => c[key]));
    const s = of(name);
    return [pick(s.roundTripCost, 'cpuUs'), pick(s.roundTripCost, 'heapBytes'), pick(s.roundTripCost, 'gcs') * 10_000, pick(s.pipelinedCost, 'cpuUs'), pick(s.pipelinedCost, 'heapBytes')];
  };
  const ratioRow = (label: string, ours: number[], usual: number[]) => [label, ...ours.map((v, i) => ratio(v, usual[i] ?? NaN))];
  const load = `Load average ${loadBefore} before, ${loadAverage()} after (2 cores, shared).`;
  const rounds = `Median of ${ROUNDS} rounds, paths interleaved in a rotating order, after a warm-up round.`;
  return [
    {
      title: 'WebSocket throughput (MiB/s of echoed payload, one connection)',
      columns: ['path', ...THROUGHPUT.map(({ size }) => `${sizeLabel(size)} msgs`)],
      rows: [...paths.map((p) => [p.name, ...throughputOf(p.name).map((v) => v.toFixed(0))]), ratioRow(`${PROXY} ÷ usual stack`, throughputOf(PROXY), throughputOf(USUAL))],
      notes: [`${THROUGHPUT.map(({ size, total }) => `${sizeLabel(size)} × ${total / size}`).join(', ')} messages per figure, ${WINDOW_BYTES / MiB} MiB in flight. ${rounds} ${load}`],
    },
    {
      title: 'WebSocket round trip (µs) and open → first echo (ms)',
      columns: ['path', ...ROUND_TRIPS.map(({ size }) => `${sizeLabel(size)} p50 / p99`), 'open p50 ms'],
      rows: [
        ...paths.map((p) => [p.name, ...p50Of(p.name).map((v, i) => `${v.toFixed(0)} / ${percentile(of(p.name).rttAll[i] ?? [], 0.99).toFixed(0)}`), median(of(p.name).open).toFixed(2)]),
        [...ratioRow(`${PROXY} ÷ usual stack (p50)`, p50Of(PROXY), p50Of(USUAL)), ratio(median(of(PROXY).open), median(of(USUAL).open))],
      ],
      notes: [`Sequential round trips on one connection: ${ROUND_TRIPS.map(({ size, count }) => `${count} × ${sizeLabel(size)}`).join(', ')} per round; p50 = median of the rounds' medians, p99 over all rounds. Open = ${OPENS} sockets in sequence, each until its first echo. ${rounds} ${load}`],
    },
    {
      title: 'WebSocket cost per message in the proxy process',
      columns: ['path', 'CPU µs per round trip', 'JS heap bytes per round trip', 'GCs per 10,000 round trips', 'CPU µs per 1 KiB msg (pipelined)', 'JS heap bytes per 1 KiB msg (pipelined)'],
      rows: [
        ...proxies.map((p) => [p.name, ...costOf(p.name).map((v, i) => v.toFixed(i === 0 || i === 3 ? 1 : 0))]),
        ratioRow(`${PROXY} ÷ usual stack`, costOf(PROXY), costOf(USUAL)),
      ],
      notes: [
        'Measured inside the proxy process (CPU: process.cpuUsage, every thread; heap: heap growth plus what each GC freed, from v8 GC statistics) over the 16-byte round trips (each message in and its echo out, one at a time) and over the 1 KiB throughput run (many messages per read).',
        `${rounds} ${load}`,
      ],
    },
  ];
}
