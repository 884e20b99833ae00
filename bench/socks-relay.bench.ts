// mock-socks' relay against a direct loopback connection, measured in one run on one machine:
//   direct — the client talks to the target itself;
//   socks  — the client goes through mock-socks (its CLI, in a child process, so the relay does
//            not share the client's event loop) to the same target.
// Reported as ratios (socks / direct), so the figures mean something on any machine.
import { spawn } from 'node:child_process';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { SocksClient } from 'socks';
import type { BenchTable } from './table.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const MiB = 1024 * 1024;
const THROUGHPUT_BYTES = 64 * MiB;
const THROUGHPUT_RUNS = 5;
const ROUND_TRIPS = 500;
const WARMUP_ROUND_TRIPS = 50;
const SETUPS = 50;
/** Latency runs alternate direct and via-socks blocks, so a burst of load on the machine hits both alike. */
const LATENCY_BLOCKS = 4;

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

function startMockSocksProcess(targetPort: number): Promise<{ port: number; stop(): void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'mock-socks/cli.ts', '--listen', '127.0.0.1:0', '--peer', `100.84.184.84:80=127.0.0.1:${targetPort}`], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`mock-socks exited ${code}`)));
    createInterface({ input: child.stdout }).once('line', (line) => resolve({ port: Number(line.split(':').pop()), stop: () => child.kill('SIGTERM') }));
  });
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

async function roundTrips(open: Opener): Promise<number[]> {
  const socket = await open();
  socket.setNoDelay(true);
  socket.write('E');
  const message = Buffer.alloc(64, 1);
  const times: number[] = [];
  for (let i = 0; i < WARMUP_ROUND_TRIPS + ROUND_TRIPS; i++) {
    const started = performance.now();
    await new Promise<void>((resolve) => {
      let got = 0;
      const onData = (c: Buffer) => {
        got += c.length;
        if (got < message.length) return;
        socket.off('data', onData);
        resolve();
      };
      socket.on('data', onData);
      socket.write(message);
    });
    if (i >= WARMUP_ROUND_TRIPS) times.push((performance.now() - started) * 1000);
  }
  socket.destroy();
  return times;
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

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? NaN;

export async function run(): Promise<BenchTable[]> {
  const target = await startTarget();
  const socks = await startMockSocksProcess(target.port);
  const direct: Opener = () => new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: target.port, noDelay: true }, () => resolve(socket));
  });
  const viaSocks: Opener = async () => (await SocksClient.createConnection({
    proxy: { host: '127.0.0.1', port: socks.port, type: 5 }, command: 'connect', destination: { host: '100.84.184.84', port: 80 },
  })).socket;
  try {
    const mibps = (ms: number) => THROUGHPUT_BYTES / MiB / (ms / 1000);
    const rows: string[][] = [];
    for (const [label, measure] of [['upload (client → target)', timeUpload], ['download (target → client)', timeDownload]] as const) {
      const d: number[] = [];
      const s: number[] = [];
      // Interleaved, so a burst of load on the machine hits both paths alike.
      for (let i = 0; i < THROUGHPUT_RUNS; i++) {
        d.push(mibps(await measure(direct)));
        s.push(mibps(await measure(viaSocks)));
      }
      rows.push([label, median(d).toFixed(0), median(s).toFixed(0), (median(s) / median(d)).toFixed(2)]);
    }
    const rttDirect: number[] = [];
    const rttSocks: number[] = [];
    const setupDirect: number[] = [];
    const setupSocks: number[] = [];
    for (let i = 0; i < LATENCY_BLOCKS; i++) {
      rttDirect.push(...(await roundTrips(direct)));
      rttSocks.push(...(await roundTrips(viaSocks)));
      setupDirect.push(...(await setups(direct)));
      setupSocks.push(...(await setups(viaSocks)));
    }
    const latencyRow = (label: string, d: number[], s: number[]) => [
      label, median(d).toFixed(0), median(s).toFixed(0), (median(s) - median(d)).toFixed(0), (median(s) / median(d)).toFixed(2),
      percentile(d, 0.99).toFixed(0), percentile(s, 0.99).toFixed(0),
    ];
    return [
      {
        title: 'mock-socks relay throughput vs direct loopback',
        columns: ['direction', 'direct MiB/s', 'via mock-socks MiB/s', 'ratio socks/direct'],
        rows,
        notes: [`${THROUGHPUT_BYTES / MiB} MiB per run, median of ${THROUGHPUT_RUNS} interleaved runs; mock-socks in its own process (the CLI), no fault set.`],
      },
      {
        title: 'mock-socks added latency vs direct loopback',
        columns: ['what', 'direct median µs', 'via mock-socks median µs', 'added µs', 'ratio', 'direct p99 µs', 'via mock-socks p99 µs'],
        rows: [
          latencyRow(`64-byte round trip (${ROUND_TRIPS * LATENCY_BLOCKS})`, rttDirect, rttSocks),
          latencyRow(`connect + handshake + first echo (${SETUPS * LATENCY_BLOCKS})`, setupDirect, setupSocks),
        ],
      },
    ];
  } finally {
    socks.stop();
    target.close();
  }
}
