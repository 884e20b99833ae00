// mock-socks' relay against two baselines, measured in one run on one machine:
//   direct     — the client talks to the target itself;
//   mock-socks — through mock-socks (its own process, so the relay does not share the client's
//                event loop), no fault set;
//   microsocks — through microsocks (Debian's package, a small C SOCKS5 server with a thread per
//                connection): the relay to beat. Skipped when /usr/bin/microsocks is absent.
// Rounds interleave the paths (in a rotating order), so a burst of load on the machine hits all
// alike; figures are medians over rounds and ratios, so they mean something on any machine. The
// latency rounds run with every process pinned to one CPU (./placement.ts): where the scheduler
// puts each relay would otherwise decide its figure.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { SocksClient } from 'socks';
import { benchBuild } from './build.ts';
import { listeningPort, startChild } from './children.ts';
import type { BenchOptions } from './options.ts';
import { pin, type Pinning } from './placement.ts';
import { median, pairedRatio, percentile, rotated } from './stats.ts';
import type { BenchGoal, BenchResult } from './table.ts';

const MICROSOCKS = '/usr/bin/microsocks';
const PEER = '100.84.184.84';
const MiB = 1024 * 1024;
const THROUGHPUT_BYTES = 64 * MiB;
const ROUND_TRIPS = 5000;
const WARMUP_ROUND_TRIPS = 300;
const MESSAGE_BYTES = 64;
const SETUPS = 50;
/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in these ticks. */
const CLOCK_TICKS_PER_S = 100;

interface ServerSample {
  /** CPU time of the server process between start and stop, µs. */
  cpuUs: number;
  /** JS heap allocated between start and stop, bytes (undefined for a C server). */
  allocatedBytes?: number;
  gcs?: number;
}

// ---- the SOCKS servers, as the measuring process sees them -----------------------------------

interface SocksServer {
  name: string;
  pid: number;
  port: number;
  /** The target as this server is asked to reach it. */
  destination: { host: string; port: number };
  start(): void;
  stop(): Promise<ServerSample>;
  close(): Promise<void> | void;
}

/** mock-socks bundled (./roles/mock-socks.ts) in its own process, measuring itself (./probe.ts). */
async function startMockSocksChild(targetPort: number): Promise<SocksServer> {
  const build = await benchBuild();
  const child = await startChild(build.probe, build.mockSocks, [String(targetPort)]);
  return {
    name: 'mock-socks',
    pid: child.pid,
    port: listeningPort(child),
    destination: { host: PEER, port: 80 },
    start: () => child.start(),
    stop: async () => child.stop(),
    close: () => child.close(),
  };
}

/** utime + stime of a whole process (every thread), µs; 10 ms resolution. */
function processCpuUs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  // After "pid (comm) ": state is field 3, utime 14 and stime 15 (proc(5)).
  return ((Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S) * 1e6;
}

/** The port a process listens on, from its socket inodes and /proc/net/tcp (microsocks does not print it). */
function listeningPortOf(pid: number): number | undefined {
  const inodes = new Set(readdirSync(`/proc/${pid}/fd`).map((fd) => /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1]).filter(Boolean));
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    // local_address is HEXIP:HEXPORT, st 0A is LISTEN, the inode is column 10.
    if (cols[3] === '0A' && inodes.has(cols[9])) return parseInt(cols[1]?.split(':')[1] ?? '', 16);
  }
  return undefined;
}

async function startMicrosocks(targetPort: number): Promise<SocksServer> {
  // Its stderr is a line per connection ('client[4] … connected to …'): not bench output.
  const child = spawn(MICROSOCKS, ['-i', '127.0.0.1', '-p', '0'], { stdio: 'ignore' });
  const pid = child.pid as number;
  let port: number | undefined;
  for (let attempt = 0; attempt < 100 && port === undefined; attempt++) {
    await new Promise((r) => setTimeout(r, 10));
    port = listeningPortOf(pid);
  }
  if (port === undefined) throw new Error('microsocks did not listen');
  let cpu = 0;
  return {
    name: 'microsocks',
    pid,
    port,
    destination: { host: '127.0.0.1', port: targetPort },
    start: () => {
      cpu = processCpuUs(pid);
    },
    stop: async () => ({ cpuUs: processCpuUs(pid) - cpu }),
    close: () => void child.kill('SIGTERM'),
  };
}

// ---- the target and the measurements ---------------------------------------------------------

// Target protocol: first byte picks the mode. 'S' + u32 length: sink, answers 'K' when all arrived;
// 'F' + u32 length: sends that many bytes then closes; 'E': echo.
function startTarget(): Promise<{ port: number; close(): void }> {
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    socket.on('error', () => {});
    let mode: string | undefined;
    let remaining = 0;
    socket.on('data', (chunk: Buffer) => {
      if (mode === undefined) {
        mode = String.fromCharCode(chunk[0] ?? 0);
        if (mode === 'S' || mode === 'F') remaining = chunk.readUInt32BE(1);
        if (mode === 'F') return void sendBulk(socket, remaining);
        chunk = chunk.subarray(mode === 'S' ? 5 : 1);
      }
      if (mode === 'E') socket.write(chunk);
      else if (mode === 'S') {
        remaining -= chunk.length;
        if (remaining <= 0) socket.write('K');
      }
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ port: (server.address() as AddressInfo).port, close: () => server.close() })));
}

function sendBulk(socket: Socket, total: number): void {
  const block = Buffer.alloc(64 * 1024, 7);
  let sent = 0;
  const pump = () => {
    while (sent < total) {
      const piece = block.subarray(0, Math.min(block.length, total - sent));
      sent += piece.length;
      if (!socket.write(piece)) return void socket.once('drain', pump);
    }
    socket.end();
  };
  pump();
}

type Opener = () => Promise<Socket>;

async function timeUpload(open: Opener): Promise<number> {
  const socket = await open();
  const header = Buffer.alloc(5);
  header.write('S');
  header.writeUInt32BE(THROUGHPUT_BYTES, 1);
  const block = Buffer.alloc(64 * 1024, 3);
  const started = performance.now();
  const done = new Promise<void>((resolve) => socket.once('data', () => resolve()));
  socket.write(header);
  for (let sent = 0; sent < THROUGHPUT_BYTES; sent += block.length) {
    if (!socket.write(block)) await new Promise((r) => socket.once('drain', r));
  }
  await done;
  const ms = performance.now() - started;
  socket.destroy();
  return ms;
}

async function timeDownload(open: Opener): Promise<number> {
  const socket = await open();
  const header = Buffer.alloc(5);
  header.write('F');
  header.writeUInt32BE(THROUGHPUT_BYTES, 1);
  const started = performance.now();
  let received = 0;
  await new Promise<void>((resolve) => {
    socket.on('data', (c: Buffer) => {
      received += c.length;
      if (received >= THROUGHPUT_BYTES) resolve();
    });
    socket.write(header);
  });
  const ms = performance.now() - started;
  socket.destroy();
  return ms;
}

/** An echo connection (the target's 'E' mode). */
async function openEcho(open: Opener): Promise<Socket> {
  const socket = await open();
  socket.setNoDelay(true);
  socket.write('E');
  return socket;
}

/** One round trip of `message` on an echo connection, µs. */
function roundTrip(socket: Socket, message: Buffer): Promise<number> {
  return new Promise((resolve) => {
    const started = performance.now();
    let got = 0;
    const onData = (c: Buffer) => {
      got += c.length;
      if (got < message.length) return;
      socket.off('data', onData);
      resolve((performance.now() - started) * 1000);
    };
    socket.on('data', onData);
    socket.write(message);
  });
}

/**
 * One round of every path: a connection each, warmed up, then the round trips round trip by
 * round trip, the paths in turn (load that comes and goes falls on every path alike), each
 * server measured over the timed ones.
 */
async function interleavedRoundTrips(paths: Path[], round: number): Promise<Map<Path, { times: number[]; sample?: ServerSample }>> {
  const sockets = await Promise.all(paths.map((path) => openEcho(path.open)));
  const message = Buffer.alloc(MESSAGE_BYTES, 1);
  const times = paths.map((): number[] => []);
  const indices = paths.map((_, k) => k);
  for (let i = 0; i < WARMUP_ROUND_TRIPS + ROUND_TRIPS; i++) {
    if (i === WARMUP_ROUND_TRIPS) for (const path of paths) path.server?.start();
    for (const k of rotated(indices, i + round)) {
      const time = await roundTrip(sockets[k] as Socket, message);
      if (i >= WARMUP_ROUND_TRIPS) times[k]?.push(time);
    }
  }
  const samples = await Promise.all(paths.map((path) => path.server?.stop()));
  for (const socket of sockets) socket.destroy();
  return new Map(paths.map((path, k) => [path, { times: times[k] ?? [], sample: samples[k] }]));
}

async function setups(open: Opener): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < SETUPS; i++) {
    const started = performance.now();
    const socket = await open();
    socket.write('Ex');
    await new Promise((r) => socket.once('data', r));
    times.push((performance.now() - started) * 1000);
    socket.destroy();
  }
  return times;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

interface Path {
  name: string;
  open: Opener;
  server?: SocksServer;
}

export async function run({ rounds, placement }: BenchOptions): Promise<BenchResult> {
  const target = await startTarget();
  const servers = [await startMockSocksChild(target.port)];
  const skipped = existsSync(MICROSOCKS) ? [] : [`microsocks skipped: ${MICROSOCKS} is not installed (apt-get install microsocks).`];
  if (skipped.length === 0) servers.push(await startMicrosocks(target.port));
  const paths: Path[] = [
    { name: 'direct', open: () => new Promise((resolve) => { const s = connect({ host: '127.0.0.1', port: target.port, noDelay: true }, () => resolve(s)); }) },
    ...servers.map((server) => ({
      name: server.name,
      server,
      open: async () => (await SocksClient.createConnection({ proxy: { host: '127.0.0.1', port: server.port, type: 5 }, command: 'connect', destination: server.destination })).socket,
    })),
  ];
  const names = paths.map((p) => p.name);
  const ratioColumns = servers.length > 1 ? ['mock-socks ÷ microsocks'] : [];
  const ratio = (by: Record<string, number>) => (servers.length > 1 ? [((by['mock-socks'] ?? NaN) / (by.microsocks ?? NaN)).toFixed(2)] : []);
  let pinning: Pinning | undefined;
  try {
    const throughputRows: string[][] = [];
    for (const [label, measure] of [['upload (client → target)', timeUpload], ['download (target → client)', timeDownload]] as const) {
      const mibps: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
      for (let round = 0; round < rounds; round++) {
        for (const path of rotated(paths, round)) mibps[path.name]?.push(THROUGHPUT_BYTES / MiB / ((await measure(path.open)) / 1000));
      }
      const medians = Object.fromEntries(names.map((n) => [n, median(mibps[n] ?? [])]));
      throughputRows.push([label, ...names.map((n) => (medians[n] ?? NaN).toFixed(0)), ...ratio(medians)]);
    }

    // Throughput is left to the scheduler: bulk transfers wake the relay once per 64 KiB, not per 64 bytes.
    const relays = servers.map((server) => ({ what: server.name, pids: [server.pid] }));
    pinning = placement === 'same' ? pin(placement, relays, []) : pin(placement, [], relays);
    const rtt: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
    const p50s: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
    const samples: Record<string, ServerSample[]> = Object.fromEntries(names.map((n) => [n, []]));
    const setup: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
    for (let round = 0; round < rounds; round++) {
      for (const [path, { times, sample }] of await interleavedRoundTrips(paths, round)) {
        if (sample) samples[path.name]?.push(sample);
        rtt[path.name]?.push(...times);
        p50s[path.name]?.push(median(times));
      }
      for (const path of rotated(paths, round)) setup[path.name]?.push(...(await setups(path.open)));
    }
    const p50 = Object.fromEntries(names.map((n) => [n, median(p50s[n] ?? [])]));
    const setupP50 = Object.fromEntries(names.map((n) => [n, median(setup[n] ?? [])]));
    const perMessage = (n: string, pick: (s: ServerSample) => number | undefined) => {
      const values = (samples[n] ?? []).map(pick);
      return values.some((v) => v === undefined) ? undefined : sum(values as number[]) / (ROUND_TRIPS * (samples[n]?.length ?? 0));
    };
    const cost = servers.map((server) => {
      const cpu = perMessage(server.name, (s) => s.cpuUs);
      const heap = perMessage(server.name, (s) => s.allocatedBytes);
      const gcs = perMessage(server.name, (s) => s.gcs);
      return [server.name, (cpu ?? NaN).toFixed(1), heap === undefined ? '—' : heap.toFixed(0), gcs === undefined ? '—' : (gcs * 10_000).toFixed(1)];
    });
    const goals: BenchGoal[] = [];
    if (servers.length > 1) {
      goals.push({ goal: `mock-socks relay round trip p50 (${MESSAGE_BYTES} B) ÷ microsocks's`, ours: `${(p50['mock-socks'] ?? NaN).toFixed(0)} µs`, baseline: `${(p50.microsocks ?? NaN).toFixed(0)} µs`, ratio: pairedRatio(p50s['mock-socks'] ?? [], p50s.microsocks ?? []), atMost: 1.35 });
    }
    return {
      goals,
      tables: [
      {
        title: 'SOCKS relay throughput (MiB/s)',
        columns: ['direction', ...names, ...ratioColumns],
        rows: throughputRows,
        notes: [`${THROUGHPUT_BYTES / MiB} MiB per run, median of ${rounds} interleaved rounds; each server in its own process, no fault set.`, ...skipped],
      },
      {
        title: 'SOCKS relay latency (µs)',
        columns: ['what', ...names.map((n) => `${n} p50`), ...ratioColumns, ...servers.map((s) => `${s.name} ÷ direct`), ...names.map((n) => `${n} p99`)],
        rows: [
          [`${MESSAGE_BYTES}-byte round trip`, ...names.map((n) => (p50[n] ?? NaN).toFixed(0)), ...(servers.length > 1 ? [pairedRatio(p50s['mock-socks'] ?? [], p50s.microsocks ?? []).toFixed(2)] : []), ...servers.map((s) => ((p50[s.name] ?? NaN) / (p50.direct ?? NaN)).toFixed(2)), ...names.map((n) => percentile(rtt[n] ?? [], 0.99).toFixed(0))],
          ['connect + handshake + first echo', ...names.map((n) => (setupP50[n] ?? NaN).toFixed(0)), ...ratio(setupP50), ...servers.map((s) => ((setupP50[s.name] ?? NaN) / (setupP50.direct ?? NaN)).toFixed(2)), ...names.map((n) => percentile(setup[n] ?? [], 0.99).toFixed(0))],
        ],
        notes: [pinning.note, `Round trips: per round a connection per path, ${WARMUP_ROUND_TRIPS} round trips of warm-up, then ${ROUND_TRIPS} each, the paths taking turns round trip by round trip; p50: the median of the ${rounds} rounds' p50s (ratio: of the rounds' ratios); p99 over all rounds. Setups: ${SETUPS} per round, median over all.`],
      },
      {
        title: 'SOCKS relay cost per round trip (server process)',
        columns: ['server', 'CPU µs per round trip', 'JS heap bytes allocated per round trip', 'GCs per 10,000 round trips'],
        rows: cost,
        notes: [
          `Over the timed round trips of every round (${rounds} × ${ROUND_TRIPS}); a round trip is two relayed ${MESSAGE_BYTES}-byte chunks. mock-socks (bundled by esbuild, in its own process): process.cpuUsage and the young generation's allocation from v8 GC statistics, measured inside it; microsocks: utime + stime from /proc/PID/stat (10 ms ticks, hence the total rather than per-round medians).`,
        ],
      },
    ],
    };
  } finally {
    pinning?.undo();
    await Promise.all(servers.map((server) => server.close()));
    target.close();
  }
}

