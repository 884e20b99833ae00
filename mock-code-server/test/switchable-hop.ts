// A hop in front of a server, switched by the test: 'forward' pipes each upgrade to the server
// byte for byte; 'close-after-101' answers the upgrade itself and closes with a 1014 close frame
// on the client's first message — what the fixed proxy does while the tailnet is down;
// 'silent-after-101' answers the upgrade and then says nothing.
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';

export type HopMode = 'forward' | 'close-after-101' | 'silent-after-101';

export interface SwitchableHop {
  baseUrl: string;
  mode: HopMode;
  /** Sockets the hop answered itself (not forwarded), in order, and whether each has ended. */
  answered: { closed: boolean }[];
  /** Ends the forwarded sockets whose upgrade URL matches, at TCP level. */
  drop(matches: (url: URL) => boolean): void;
  close(): Promise<void>;
}

export async function switchableHop(targetPort: number): Promise<SwitchableHop> {
  const http: Server = createServer();
  const wss = new WebSocketServer({ noServer: true });
  const open = new Set<Duplex>();
  const forwarded = new Map<Duplex, URL>();
  const track = (socket: Duplex): void => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const hop: SwitchableHop = {
    baseUrl: '',
    mode: 'forward',
    answered: [],
    drop(matches) {
      for (const [socket, url] of forwarded) if (matches(url)) socket.destroy();
    },
    async close() {
      for (const socket of open) socket.destroy();
      wss.close();
      await new Promise((resolve) => http.close(resolve));
    },
  };
  http.on('upgrade', (req, socket, head) => {
    track(socket);
    if (hop.mode !== 'forward') {
      const entry = { closed: false };
      hop.answered.push(entry);
      const closes = hop.mode === 'close-after-101';
      wss.handleUpgrade(req, socket, head, (ws) => {
        ws.on('close', () => (entry.closed = true));
        if (closes) ws.once('message', () => ws.close(1014, 'upstream unreachable'));
      });
      return;
    }
    const upstream = connect(targetPort, '127.0.0.1');
    track(upstream);
    const lines = [`${req.method} ${req.url} HTTP/1.1`];
    for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
    upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
    upstream.write(head);
    upstream.pipe(socket).pipe(upstream);
    forwarded.set(socket, new URL(req.url ?? '/', 'http://hop'));
    upstream.on('close', () => socket.destroy());
    socket.on('close', () => {
      forwarded.delete(socket);
      upstream.destroy();
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  hop.baseUrl = `http://127.0.0.1:${(http.address() as { port: number }).port}/`;
  return hop;
}
