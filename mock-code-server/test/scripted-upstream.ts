// A WebSocket endpoint that does what a test scripts, per upgrade: the hops a workbench can meet
// in front of code-server — the fixed proxy's 101 followed by a close frame, a refusal, silence.
import { createServer, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { ProtocolReader, type ProtocolMessage } from '../common/framing.ts';

export interface ScriptedSocket {
  /** 1-based upgrade count. */
  index: number;
  url: URL;
  ws: WebSocket;
  received: ProtocolMessage[];
  closed: boolean;
}

export interface UpstreamScript {
  /** A status to refuse upgrade `index` with (raw HTTP, the browser sees 1006), or undefined to accept it. */
  refuse?(index: number): number | undefined;
  /** Each protocol message the client sends on an accepted socket. */
  onMessage?(socket: ScriptedSocket, message: ProtocolMessage): void;
}

export interface ScriptedUpstream {
  baseUrl: string;
  sockets: ScriptedSocket[];
  upgrades: number;
  close(): Promise<void>;
}

export async function scriptedUpstream(script: UpstreamScript): Promise<ScriptedUpstream> {
  const http: Server = createServer();
  const wss = new WebSocketServer({ noServer: true });
  const raw = new Set<Duplex>();
  const upstream: ScriptedUpstream = {
    baseUrl: '',
    sockets: [],
    upgrades: 0,
    async close() {
      for (const socket of raw) socket.destroy();
      wss.close();
      await new Promise((resolve) => http.close(resolve));
    },
  };
  http.on('upgrade', (req, socket, head) => {
    raw.add(socket);
    socket.on('close', () => raw.delete(socket));
    socket.on('error', () => socket.destroy());
    const index = ++upstream.upgrades;
    const status = script.refuse?.(index);
    if (status !== undefined) {
      socket.end(`HTTP/1.1 ${status} Refused\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const entry: ScriptedSocket = { index, url: new URL(req.url ?? '/', 'http://upstream'), ws, received: [], closed: false };
      upstream.sockets.push(entry);
      const reader = new ProtocolReader();
      ws.on('close', () => (entry.closed = true));
      ws.on('message', (data: Buffer) => {
        for (const message of reader.acceptChunk(new Uint8Array(data))) {
          entry.received.push(message);
          script.onMessage?.(entry, message);
        }
      });
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  upstream.baseUrl = `http://127.0.0.1:${(http.address() as { port: number }).port}/`;
  return upstream;
}
