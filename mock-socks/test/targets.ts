// Loopback targets the tests dial through the server: echo (optionally delayed), closed ports,
// UDP echo, a small HTTP server. All on port 0; each close() waits for its sockets.
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createHttpServer } from 'node:http';
import { createSocket } from 'node:dgram';

export interface Target {
  host: string;
  port: number;
  close(): Promise<void>;
}

function track(server: Server): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
  });
  return sockets;
}

function listen(server: Server, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
}

function closing(server: Server, sockets: Set<Socket>): () => Promise<void> {
  return () => new Promise((resolve) => {
    for (const s of sockets) s.destroy();
    server.close(() => resolve());
  });
}

/** Echoes every chunk back, after delayMs when given (the vectors' DELAY_PORT echoes after 200 ms). */
export async function startEcho(host = '127.0.0.1', delayMs = 0): Promise<Target> {
  const server = createServer((socket) => {
    socket.on('data', (chunk) => {
      if (delayMs === 0) socket.write(chunk);
      else setTimeout(() => !socket.destroyed && socket.write(chunk), delayMs);
    });
    socket.on('end', () => socket.end());
  });
  const sockets = track(server);
  return { host, port: await listen(server, host), close: closing(server, sockets) };
}

/** Sends `bytes` to whoever connects, then closes. */
export async function startSender(bytes: Buffer, host = '127.0.0.1'): Promise<Target> {
  const server = createServer((socket) => socket.end(bytes));
  const sockets = track(server);
  return { host, port: await listen(server, host), close: closing(server, sockets) };
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(host = '127.0.0.1'): Promise<number> {
  const server = createServer();
  const port = await listen(server, host);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function startUdpEcho(host = '127.0.0.1'): Promise<Target> {
  const socket = createSocket('udp4');
  socket.on('message', (msg, from) => socket.send(msg, from.port, from.address));
  await new Promise<void>((resolve) => socket.bind(0, host, () => resolve()));
  return { host, port: socket.address().port, close: () => new Promise((resolve) => socket.close(() => resolve())) };
}

/** An HTTP target answering every request with `body`. */
export async function startHttp(body: string, host = '127.0.0.1'): Promise<Target> {
  const server = createHttpServer((_req, res) => {
    res.setHeader('content-type', 'text/plain');
    res.end(body);
  });
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, host, () => resolve()));
  const address = server.address();
  return {
    host,
    port: typeof address === 'object' && address ? address.port : 0,
    close: () => new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
