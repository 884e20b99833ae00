// A small upstream for the proxy's own HTTP and WebSocket tests: echoes messages, reports the
// request it saw, streams and swallows large bodies, redirects, answers 304 — and can end its
// WebSockets' TCP connections without a close frame, the way code-server does, or refuse upgrades
// with a status, as a code-server still starting behind a hop (503) or refusing an Origin (403) does.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface SeenUpgrade {
  url: string;
  headers: IncomingHttpHeaders;
}

export interface EchoUpstream {
  host: string;
  port: number;
  /** Every WebSocket upgrade request, as received. */
  upgrades: SeenUpgrade[];
  sockets: Set<WebSocket>;
  /** Ends every WebSocket's TCP connection without a close frame. */
  dropAll(): void;
  /** The next `count` upgrades get `status` instead of 101 (count 0: none). */
  refuseUpgrades(status: number, count?: number): void;
  close(): Promise<void>;
}

export async function startEchoUpstream(): Promise<EchoUpstream> {
  const upgrades: SeenUpgrade[] = [];
  const sockets = new Set<WebSocket>();
  const tcp = new Set<Socket>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: 256 * 1024 * 1024 });
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://upstream');
    if (url.pathname === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end('{"status":"alive"}');
    }
    if (url.pathname === '/headers') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ url: req.url, headers: req.headers }));
    }
    if (url.pathname === '/redirect') {
      res.writeHead(302, { location: url.searchParams.get('to') ?? '/login' });
      return void res.end();
    }
    if (url.pathname === '/not-modified') {
      res.writeHead(304, { etag: '"v1"' });
      return void res.end();
    }
    if (url.pathname === '/download') {
      // Chunked (no content-length), written with backpressure so the upstream itself stays small.
      let left = Number(url.searchParams.get('bytes') ?? 0);
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const write = () => {
        while (left > 0) {
          const part = left >= chunk.length ? chunk : chunk.subarray(0, left);
          left -= part.length;
          if (!res.write(part)) return void res.once('drain', write);
        }
        res.end();
      };
      return write();
    }
    if (url.pathname === '/upload') {
      let bytes = 0;
      req.on('data', (c: Buffer) => (bytes += c.length));
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ bytes, chunked: req.headers['transfer-encoding'] === 'chunked' }));
      });
      return;
    }
    res.writeHead(404);
    res.end();
  });
  server.on('connection', (socket) => {
    tcp.add(socket);
    socket.on('close', () => tcp.delete(socket));
  });
  let refusals = { status: 0, left: 0 };
  server.on('upgrade', (req, socket, head) => {
    upgrades.push({ url: req.url ?? '', headers: req.headers });
    if (refusals.left > 0) {
      refusals.left--;
      return void socket.end(`HTTP/1.1 ${refusals.status} Refused\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      // A reader that never reads: what the proxy forwards piles up in front of it.
      if (req.url?.startsWith('/stall')) socket.pause();
      ws.on('close', () => sockets.delete(ws));
      ws.on('message', (data, isBinary) => {
        if (!isBinary && data.toString() === 'close-4001') return ws.close(4001, 'upstream says bye');
        ws.send(data, { binary: isBinary });
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: '127.0.0.1',
    port,
    upgrades,
    sockets,
    dropAll: () => {
      for (const ws of sockets) ws.terminate();
    },
    refuseUpgrades: (status, count = Infinity) => {
      refusals = { status, left: count };
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of tcp) socket.destroy();
        for (const ws of sockets) ws.terminate();
        server.close(() => resolve());
      }),
  };
}
