// WebSocket performance of the proxy against two baselines, in one run on one machine:
//   direct  — the client talks to the upstream echo server itself;
//   proxy   — this project's proxy (its CLI, in a child process) + mock-socks;
//   usual   — http-proxy-3 with socks-proxy-agent (the usual Node stack) + mock-socks.
// The upstream (an echo WebSocket server) and mock-socks run together in one child process (the
// "tailnet"), each proxy in another, the client in this one — so no two hops share an event loop.
// This module is also the entry point of those child processes (PROXY_WS_BENCH_ROLE).
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { WebSocket, WebSocketServer } from 'ws';
import type { BenchTable } from './table.ts';

const here = fileURLToPath(import.meta.url);
const root = fileURLToPath(new URL('..', import.meta.url));
const peer = '100.84.184.84';
const KiB = 1024;
const MiB = 1024 * KiB;
const idleSessions = Number(process.env.PROXY_WS_BENCH_SESSIONS ?? 5000);

// ---- child process roles -------------------------------------------------------------------

/** The tailnet side: an echo WebSocket server reachable only through mock-socks as peer:8888. */
async function tailnetRole(): Promise<void> {
  const { startMockSocks } = await import('../mock-socks/index.ts');
  const server = createServer();
  const wss = new WebSocketServer({ server, perMessageDeflate: false, maxPayload: 256 * MiB });
  wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const echoPort = (server.address() as AddressInfo).port;
  const socks = await startMockSocks({ peers: [{ address: peer, ports: { 8888: `127.0.0.1:${echoPort}` } }] });
  console.log(JSON.stringify({ echoPort, socksPort: socks.port }));
}

/** The usual stack: http-proxy-3 forwarding upgrades through socks-proxy-agent. */
async function usualRole(socksPort: number): Promise<void> {
  const { createProxyServer } = await import('http-proxy-3');
  const { SocksProxyAgent } = await import('socks-proxy-agent');
  const agent = new SocksProxyAgent(`socks5h://127.0.0.1:${socksPort}`);
  const proxy = createProxyServer({ target: `http://${peer}:8888`, ws: true, agent });
  proxy.on('error', () => {});
  const server = createServer((req, res) => proxy.web(req, res));
  server.on('upgrade', (req, socket, head) => {
    req.url = (req.url ?? '/').replace(/^\/dev\/code/, '') || '/';
    proxy.ws(req, socket, head);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  console.log(`listening on 127.0.0.1:${(server.address() as AddressInfo).port}`);
}

// ---- helpers for the measuring process ------------------------------------------------------

interface Child {
  process: ChildProcess;
  firstLine: string;
}

function startChild(args: string[], env: Record<string, string>): Promise<Child> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'ignore'] });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
    createInterface({ input: child.stdout! }).once('line', (line) => resolve({ process: child, firstLine: line }));
  });
}

function stopChild(child: Child): Promise<void> {
  return new Promise((resolve) => {
    if (child.process.exitCode !== null) return resolve();
    child.process.once('exit', () => resolve());
    child.process.kill('SIGTERM');
    setTimeout(() => child.process.kill('SIGKILL'), 5000).unref();
  });
}

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 256 * MiB });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function closeAll(sockets: WebSocket[]): Promise<void> {
  return Promise.all(sockets.map((ws) => new Promise<void>((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) return resolve();
    ws.once('close', () => resolve());
    ws.close();
  }))).then(() => {});
}

/** Echoed payload per second: `total` bytes in messages of `size`, at most `window` bytes in flight. */
async function throughput(url: string, size: number, total: number): Promise<number> {
  const ws = await open(url);
  const message = Buffer.alloc(size, 7);
  const count = Math.max(1, Math.floor(total / size));
  const window = Math.max(1, Math.floor((8 * MiB) / size));
  const started = performance.now();
  await new Promise<void>((resolve) => {
    let sent = 0;
    let received = 0;
    const pump = () => {
      while (sent < count && sent - received < window) {
        ws.send(message);
        sent++;
      }
    };
    ws.on('message', () => {
      received++;
      if (received === count) resolve();
      else pump();
    });
    pump();
  });
  const seconds = (performance.now() - started) / 1000;
  await closeAll([ws]);
  return (count * size) / seconds;
}

/** Sequential round trips of a 16-byte message: [p50, p99] in µs. */
async function roundTrips(url: string, count: number): Promise<[number, number]> {
  const ws = await open(url);
  const samples: number[] = [];
  const message = Buffer.alloc(16, 1);
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await new Promise<void>((resolve) => {
      ws.once('message', () => resolve());
      ws.send(message);
    });
    samples.push((performance.now() - started) * 1000);
  }
  await closeAll([ws]);
  samples.sort((a, b) => a - b);
  return [samples[Math.floor(count * 0.5)] ?? 0, samples[Math.floor(count * 0.99)] ?? 0];
}

/** Opening a socket until its first echo: what a workbench waits for. p50 in ms. */
async function openTimes(url: string, count: number): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const ws = await open(url);
    await new Promise<void>((resolve) => {
      ws.once('message', () => resolve());
      ws.send('hello');
    });
    samples.push(performance.now() - started);
    await closeAll([ws]);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(count / 2)] ?? 0;
}

/** RSS growth of `pid` with `sessions` idle WebSockets open through `url`. */
async function idleMemory(url: string, pid: number, sessions: number): Promise<{ bytes: number; opened: number }> {
  const before = rssOf(pid);
  const sockets: WebSocket[] = [];
  for (let i = 0; i < sessions; i += 250) {
    const batch = await Promise.allSettled(Array.from({ length: Math.min(250, sessions - i) }, () => open(url)));
    for (const result of batch) if (result.status === 'fulfilled') sockets.push(result.value);
  }
  // One echo on the last socket: the sessions before it are established end to end, not only accepted.
  const last = sockets.at(-1);
  if (last) await new Promise<void>((resolve) => (last.once('message', () => resolve()), last.send('x')));
  const after = rssOf(pid);
  await closeAll(sockets);
  return { bytes: after - before, opened: sockets.length };
}

const mibps = (bytesPerSecond: number) => (bytesPerSecond / MiB).toFixed(0);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

export async function run(): Promise<BenchTable[]> {
  const tailnet = await startChild([here], { PROXY_WS_BENCH_ROLE: 'tailnet' });
  const { echoPort, socksPort } = JSON.parse(tailnet.firstLine) as { echoPort: number; socksPort: number };
  const ours = await startChild(['proxy/cli.ts', '--listen', '127.0.0.1:0', '--socks', `socks5h://localhost:${socksPort}`, '--upstream', `http://${peer}:8888`, '--access-log', 'false'], {});
  const usual = await startChild([here], { PROXY_WS_BENCH_ROLE: 'usual', PROXY_WS_BENCH_SOCKS_PORT: String(socksPort) });
  const portOf = (child: Child) => Number(/:(\d+)$/.exec(child.firstLine)?.[1]);
  const paths = [
    { name: 'direct', url: `ws://127.0.0.1:${echoPort}/stable-x?reconnectionToken=t`, pid: tailnet.process.pid ?? 0 },
    { name: 'this proxy + mock-socks', url: `ws://127.0.0.1:${portOf(ours)}/dev/code/stable-x?reconnectionToken=t`, pid: ours.process.pid ?? 0 },
    { name: 'http-proxy-3 + socks-proxy-agent + mock-socks', url: `ws://127.0.0.1:${portOf(usual)}/dev/code/stable-x?reconnectionToken=t`, pid: usual.process.pid ?? 0 },
  ];
  // Three rounds, paths interleaved, median per figure: this machine is shared, and a load spike
  // during one path's turn would otherwise decide the comparison.
  const rounds = 3;
  const samples = paths.map(() => ({ small: [] as number[], medium: [] as number[], large: [] as number[], p50: [] as number[], p99: [] as number[], open: [] as number[] }));
  const memoryRows: string[][] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      for (const [i, path] of paths.entries()) {
        const s = samples[i]!;
        s.small.push(await throughput(path.url, KiB, 24 * MiB));
        s.medium.push(await throughput(path.url, 64 * KiB, 48 * MiB));
        s.large.push(await throughput(path.url, MiB, 48 * MiB));
        const [p50, p99] = await roundTrips(path.url, 600);
        s.p50.push(p50);
        s.p99.push(p99);
        s.open.push(await openTimes(path.url, 30));
      }
    }
    for (const path of paths) {
      const memory = await idleMemory(path.url, path.pid, idleSessions);
      memoryRows.push([path.name, String(memory.opened), (memory.bytes / MiB).toFixed(0), ((memory.bytes / Math.max(1, memory.opened)) / KiB).toFixed(1)]);
    }
  } finally {
    await Promise.all([stopChild(ours), stopChild(usual), stopChild(tailnet)]);
  }
  const rows = paths.map((path, i) => {
    const s = samples[i]!;
    return [path.name, mibps(median(s.small)), mibps(median(s.medium)), mibps(median(s.large)), median(s.p50).toFixed(0), median(s.p99).toFixed(0), median(s.open).toFixed(2)];
  });
  return [
    {
      title: 'WebSocket through the proxy: throughput (MiB/s of echoed payload), round trip, open',
      columns: ['path', '1 KiB msgs', '64 KiB msgs', '1 MiB msgs', 'RTT p50 µs', 'RTT p99 µs', 'open → first echo p50 ms'],
      rows,
      notes: [
        'Client in the bench process; the proxy under test in its own process; echo server + mock-socks in a third. One connection per throughput figure (24 / 48 / 48 MiB, 8 MiB in flight, so each is several windows long, not one burst); RTT = 600 sequential 16-byte messages; open = 30 sequential sockets, each until its first echo. Median of 3 rounds, paths interleaved.',
        'Goals (issue 4): throughput ≥ the usual stack and ≥ ½ direct; RTT ≤ 1.5× direct.',
      ],
    },
    {
      title: `WebSocket through the proxy: memory for ${idleSessions} idle sessions`,
      columns: ['path', 'sessions open', 'RSS growth MiB (process measured)', 'KiB per session'],
      rows: memoryRows,
      notes: ['RSS growth of the process that holds the sessions: the echo server (+ mock-socks) for direct, the proxy process otherwise. Goal: the proxy under 1 GiB for 5,000 sessions.'],
    },
  ];
}

const role = process.env.PROXY_WS_BENCH_ROLE;
if (role === 'tailnet') await tailnetRole();
else if (role === 'usual') await usualRole(Number(process.env.PROXY_WS_BENCH_SOCKS_PORT));
