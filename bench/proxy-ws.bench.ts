// One WebSocket per path (./ws-paths.ts) at a time: throughput, round trips at four message sizes,
// opening, and what each message costs the proxy's process (CPU, JS heap). The proxy runs as the
// bundle the Dockerfile ships; the client is a lean raw-socket one (./raw-ws.ts) in this process,
// so it is not what limits the figures.
//
// The machine is shared and its load moves within seconds, so the paths take turns in short
// blocks on connections kept open (warmed up first), many times over, and each figure pools its
// path's blocks: a burst of load lands on every path alike, not on whichever ran at that moment.
// Round trips and opens run with the processes pinned (./placement.ts), every proxy placed alike:
// left to the scheduler, a proxy on the other CPU than the bench's took twice as long per round trip.
import type { BenchOptions, WsFigure } from './options.ts';
import type { Pinning } from './placement.ts';
import { clientMessage, openRawWebSocket, type RawWebSocket } from './raw-ws.ts';
import { loadAverage, median, pairedRatio, percentile, rotated } from './stats.ts';
import type { CostSample } from './probe.ts';
import type { BenchGoal, BenchResult, BenchTable } from './table.ts';
import { pinProxies, PROXY, startWsPaths, type WsPath } from './ws-paths.ts';

const KiB = 1024;
const MiB = 1024 * KiB;
/** Per block: payload bytes echoed for a throughput figure (at most WINDOW_BYTES in flight), round trips for a latency one. */
/** Four windows' worth per block, so a block is mostly steady flow rather than a burst and its drain. */
const THROUGHPUT = [
  { size: KiB, bytes: 32 * MiB },
  { size: 64 * KiB, bytes: 32 * MiB },
  { size: MiB, bytes: 32 * MiB },
];
const WINDOW_BYTES = 8 * MiB;
const ROUND_TRIPS = [
  { size: 16, count: 500 },
  { size: KiB, count: 500 },
  { size: 64 * KiB, count: 200 },
  { size: MiB, count: 40 },
];
const OPENS = 40;

/** Echoes `count` messages with at most `window` in flight; resolves when the last echo is in. */
function pump(ws: RawWebSocket, message: Buffer, count: number, window: number): Promise<void> {
  return new Promise((resolve) => {
    let sent = 0;
    let received = 0;
    const send = () => {
      for (; sent < count && sent - received < window; sent++) ws.send(message);
    };
    ws.onMessages = (ended) => {
      received += ended;
      if (received >= count) resolve();
      else send();
    };
    send();
  });
}

/** One round trip of one message, µs. */
function roundTrip(ws: RawWebSocket, message: Buffer): Promise<number> {
  return new Promise((resolve) => {
    const started = performance.now();
    ws.onMessages = () => resolve((performance.now() - started) * 1000);
    ws.send(message);
  });
}

/** Opening a socket until its first echo: what a workbench waits for, ms. */
async function openTime(path: WsPath): Promise<number> {
  const started = performance.now();
  const ws = await openRawWebSocket(path.port, path.target);
  await pump(ws, clientMessage(5), 1, 1);
  const ms = performance.now() - started;
  await ws.close();
  return ms;
}

/** What the path's server spent over its blocks, summed. */
class Spent {
  cpuUs = 0;
  heapBytes = 0;
  gcs = 0;
  messages = 0;

  add(sample: CostSample | undefined, messages: number): void {
    if (!sample) return;
    this.cpuUs += sample.cpuUs;
    this.heapBytes += sample.allocatedBytes;
    this.gcs += sample.gcs;
    this.messages += messages;
  }

  get perMessage(): number[] {
    return [this.cpuUs / this.messages, this.heapBytes / this.messages, (this.gcs / this.messages) * 10_000];
  }
}

/** Runs `block` on every path, `blocks` times, the order rotating; the first turn is a discarded warm-up. */
async function takeTurns(paths: WsPath[], blocks: number, block: (path: WsPath, measure: boolean) => Promise<void>): Promise<void> {
  for (let turn = -1; turn < blocks; turn++) {
    for (const path of rotated(paths, turn + 1)) await block(path, turn >= 0);
  }
}

interface Figures {
  /** Per message size, per turn. */
  throughput: number[][];
  /** Per message size: every round trip, and each turn's p50. */
  rtt: number[][];
  rttP50: number[][];
  open: number[];
  roundTripCost: Spent;
  pipelinedCost: Spent;
}

/** Where the processes ran while round trips and opens were measured; set once they are pinned. */
interface Placed {
  pinning?: Pinning;
}

async function measure(paths: WsPath[], options: BenchOptions, place: () => Pinning, placed: Placed): Promise<Map<string, Figures>> {
  const figures = new Map<string, Figures>(paths.map((p) => [p.name, { throughput: [], rtt: [], rttP50: [], open: [], roundTripCost: new Spent(), pipelinedCost: new Spent() }]));
  const of = (path: WsPath) => figures.get(path.name) as Figures;
  const sockets = new Map<WsPath, RawWebSocket>();
  for (const path of paths) sockets.set(path, await openRawWebSocket(path.port, path.target));
  const socketOf = (path: WsPath) => sockets.get(path) as RawWebSocket;
  try {
    for (const [i, { size, bytes }] of THROUGHPUT.entries()) {
      if (!options.wsFigures.includes('throughput')) break;
      const message = clientMessage(size);
      const count = bytes / size;
      const window = Math.max(1, Math.floor(WINDOW_BYTES / size));
      for (const path of paths) of(path).throughput[i] = [];
      await takeTurns(paths, options.blocks, async (path, measured) => {
        path.server?.start();
        const started = performance.now();
        await pump(socketOf(path), message, count, window);
        const seconds = (performance.now() - started) / 1000;
        const sample = await path.server?.stop();
        if (!measured) return;
        of(path).throughput[i]?.push(bytes / seconds);
        if (i === 0) of(path).pipelinedCost.add(sample, count);
      });
    }
    // Throughput is left to the scheduler: pipelined, each process wakes once per read of many messages, and the stages run in parallel.
    if (options.wsFigures.includes('rtt') || options.wsFigures.includes('open')) placed.pinning = place();
    for (const [i, { size, count }] of ROUND_TRIPS.entries()) {
      if (!options.wsFigures.includes('rtt')) break;
      const message = clientMessage(size);
      for (const path of paths) {
        of(path).rtt[i] = [];
        of(path).rttP50[i] = [];
      }
      // Round trip by round trip, the paths in turn: load that comes and goes within a block falls on every path alike.
      for (let turn = -1; turn < options.blocks; turn++) {
        for (const path of paths) path.server?.start();
        const times = new Map<WsPath, number[]>(paths.map((p) => [p, []]));
        for (let n = 0; n < count; n++) {
          for (const path of rotated(paths, n + turn + 1)) times.get(path)?.push(await roundTrip(socketOf(path), message));
        }
        const samples = await Promise.all(paths.map((path) => path.server?.stop()));
        if (turn < 0) continue;
        for (const [k, path] of paths.entries()) {
          const mine = times.get(path) ?? [];
          of(path).rtt[i]?.push(...mine);
          of(path).rttP50[i]?.push(percentile(mine, 0.5));
          if (i === 0) of(path).roundTripCost.add(samples[k], count);
        }
      }
    }
  } finally {
    await Promise.all([...sockets.values()].map((ws) => ws.close()));
  }
  for (let n = 0; n < (options.wsFigures.includes('open') ? OPENS : 0); n++) {
    for (const path of rotated(paths, n)) of(path).open.push(await openTime(path));
  }
  return figures;
}

const sizeLabel = (size: number) => (size >= MiB ? `${size / MiB} MiB` : size >= KiB ? `${size / KiB} KiB` : `${size} B`);
const ratio = (a: number, b: number) => (a / b).toFixed(2);

export async function run(options: BenchOptions): Promise<BenchResult> {
  const loadBefore = loadAverage();
  const { direct, proxies, close } = await startWsPaths({ baseline: options.baseline });
  const paths = [direct, ...proxies];
  const BASE = proxies[1]?.name ?? '';
  const placed: Placed = {};
  let figures: Map<string, Figures>;
  try {
    figures = await measure(paths, options, () => pinProxies(proxies, options.placement, { tailnetApart: false }), placed);
  } finally {
    placed.pinning?.undo();
    await close();
  }
  const placement = placed.pinning?.note ?? '';
  const wanted = (figure: WsFigure) => options.wsFigures.includes(figure);
  const of = (name: string) => figures.get(name) as Figures;
  const throughputOf = (name: string) => THROUGHPUT.map((_, i) => median(of(name).throughput[i] ?? []) / MiB);
  const p50Of = (name: string) => ROUND_TRIPS.map((_, i) => percentile(of(name).rtt[i] ?? [], 0.5));
  const costOf = (name: string) => [...of(name).roundTripCost.perMessage, ...of(name).pipelinedCost.perMessage.slice(0, 2)];
  const ratioRow = (label: string, ours: number[], usual: number[]) => [label, ...ours.map((v, i) => ratio(v, usual[i] ?? NaN))];
  const pairedRow = (label: string, figure: (f: Figures) => number[][]) => [label, ...figure(of(PROXY)).map((ours, i) => pairedRatio(ours, figure(of(BASE))[i] ?? []).toFixed(2))];
  const load = `Load average ${loadBefore} before, ${loadAverage()} after (2 cores, shared).`;
  const turns = `The paths take turns in ${options.blocks} blocks on connections kept open, the order rotating, after a warm-up turn.`;
  const paired = 'Ratio row: the median of the turns\' ratios (the two proxies side by side in time).';
  const tables: BenchTable[] = [];
  const goals: BenchGoal[] = [];
  const turnRatio = (figure: (f: Figures) => number[][], i: number) => pairedRatio(figure(of(PROXY))[i] ?? [], figure(of(BASE))[i] ?? []);
  if (wanted('throughput')) {
    for (const [i, { size }] of THROUGHPUT.entries()) {
      const [ours, usual] = [throughputOf(PROXY)[i] ?? NaN, throughputOf(BASE)[i] ?? NaN];
      goals.push({ goal: `throughput, ${sizeLabel(size)} messages`, ours: `${ours.toFixed(0)} MiB/s`, baseline: `${usual.toFixed(0)} MiB/s`, ratio: turnRatio((f) => f.throughput, i), atLeast: 1 });
    }
    tables.push({
      title: 'WebSocket throughput (MiB/s of echoed payload, one connection)',
      columns: ['path', ...THROUGHPUT.map(({ size }) => `${sizeLabel(size)} msgs`)],
      rows: [...paths.map((p) => [p.name, ...throughputOf(p.name).map((v) => v.toFixed(0))]), pairedRow(`${PROXY} ÷ baseline`, (f) => f.throughput)],
      notes: [`Per block ${THROUGHPUT.map(({ size, bytes }) => `${bytes / size} × ${sizeLabel(size)}`).join(', ')}, at most ${WINDOW_BYTES / MiB} MiB in flight; the median of the blocks; placement left to the scheduler. ${turns} ${paired} ${load}`],
    });
  }
  if (wanted('rtt')) {
    for (const [i, { size }] of ROUND_TRIPS.entries()) {
      const [ours, usual] = [p50Of(PROXY)[i] ?? NaN, p50Of(BASE)[i] ?? NaN];
      goals.push({ goal: `round trip p50, ${sizeLabel(size)}`, ours: `${ours.toFixed(0)} µs`, baseline: `${usual.toFixed(0)} µs`, ratio: turnRatio((f) => f.rttP50, i), atMost: 1 });
    }
  }
  if (wanted('rtt') || wanted('open')) {
    const rtt = wanted('rtt') ? ROUND_TRIPS : [];
    const open = wanted('open') ? ['open p50 ms'] : [];
    const openOf = (name: string) => (wanted('open') ? [median(of(name).open).toFixed(2)] : []);
    tables.push({
      title: `WebSocket ${[...(rtt.length ? ['round trip (µs)'] : []), ...(open.length ? ['open → first echo (ms)'] : [])].join(' and ')}`,
      columns: ['path', ...rtt.map(({ size }) => `${sizeLabel(size)} p50 / p99`), ...open],
      rows: [
        ...paths.map((p) => [p.name, ...rtt.map((_, i) => `${(p50Of(p.name)[i] ?? NaN).toFixed(0)} / ${percentile(of(p.name).rtt[i] ?? [], 0.99).toFixed(0)}`), ...openOf(p.name)]),
        [...pairedRow(`${PROXY} ÷ baseline (p50)`, (f) => f.rttP50), ...(wanted('open') ? [pairedRatio(of(PROXY).open, of(BASE).open).toFixed(2)] : [])],
      ],
      notes: [placement, `${rtt.length ? `Sequential round trips, the paths taking turns round trip by round trip, per block and path ${ROUND_TRIPS.map(({ size, count }) => `${count} × ${sizeLabel(size)}`).join(', ')}; percentiles over all blocks. ` : ''}${open.length ? `Open = ${OPENS} sockets per path in turn, each until its first echo. ` : ''}${turns} ${paired} ${load}`],
    });
  }
  if (wanted('rtt') && wanted('throughput')) {
    const [ours, usual] = [costOf(PROXY), costOf(BASE)];
    const cost = (goal: string, i: number, unit: string, digits: number) => goals.push({ goal, ours: `${(ours[i] ?? NaN).toFixed(digits)} ${unit}`, baseline: `${(usual[i] ?? NaN).toFixed(digits)} ${unit}`, ratio: (ours[i] ?? NaN) / (usual[i] ?? NaN), atMost: 1 });
    cost('proxy CPU per message (16 B round trip)', 0, 'µs', 1);
    cost('proxy heap allocated per message (16 B round trip)', 1, 'B', 0);
    cost('proxy CPU per message (1 KiB, pipelined)', 3, 'µs', 2);
    cost('proxy heap allocated per message (1 KiB, pipelined)', 4, 'B', 0);
    tables.push({
      title: 'WebSocket cost per message in the proxy process',
      columns: ['path', 'CPU µs per round trip', 'JS heap bytes per round trip', 'GCs per 10,000 round trips', 'CPU µs per 1 KiB msg (pipelined)', 'JS heap bytes per 1 KiB msg (pipelined)'],
      rows: [...proxies.map((p) => [p.name, ...costOf(p.name).map((v, i) => v.toFixed(i === 0 || i === 3 ? 1 : 0))]), ratioRow(`${PROXY} ÷ baseline`, costOf(PROXY), costOf(BASE))],
      notes: [
        'Measured inside the proxy process over its blocks (CPU: process.cpuUsage, every thread; heap: heap growth plus what each GC freed, from v8 GC statistics): the 16-byte round trips (a message in and its echo out, one at a time; placed as in the round-trip table) and the 1 KiB throughput blocks (many messages per read; left to the scheduler).',
        `${turns} ${load}`,
      ],
    });
  }
  return { tables, goals };
}
