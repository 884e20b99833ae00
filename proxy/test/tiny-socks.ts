// A minimal SOCKS5 server for the proxy's own tests: either a relay that records every CONNECT
// (and only reaches the destinations it is given), or a script that plays raw bytes — for replies
// no well-behaved server sends (bad RSV, unknown ATYP) that the dialer must still reject. The relay
// can refuse every CONNECT for a while, as tailscaled does while the peer refuses (05 01 at once).
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { joinHostPort, splitHostPort } from '../../common/host-port.ts';

export interface TinySocksOptions {
  host?: string;
  /** Raw mode: the test drives the socket itself. */
  script?: (socket: Socket) => void;
  /** Relay mode: CONNECT destination `host:port` → local `host:port`. Anything else gets `05 05`. */
  routes?: Record<string, string>;
  credentials?: { user: string; pass: string };
  /** Relay mode: these replies go out a byte at a time, `pauseMs` apart (each its own read). */
  splitReplies?: { steps: ('greeting' | 'connect')[]; pauseMs: number };
  /** Relay mode: close the connection where the CONNECT reply would go. */
  closeBeforeConnectReply?: boolean;
}

export interface TinySocks {
  port: number;
  url: (scheme?: string) => string;
  /** Every CONNECT destination requested, as `host:port`. */
  connects: string[];
  /** While on, every CONNECT gets 05 01 (general failure) at once. */
  refusing: boolean;
  /** While on, every CONNECT waits this long, then gets 05 01 — tailscaled with the peer down (its 5 s dial budget). 0 = off. */
  downForMs: number;
  /** Client connections still open. */
  open(): number;
  close(): Promise<void>;
}

export async function startTinySocks(options: TinySocksOptions): Promise<TinySocks> {
  const clients = new Set<Socket>();
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    for (const set of [clients, sockets]) {
      set.add(socket);
      socket.on('close', () => set.delete(socket));
    }
    socket.on('error', () => {});
    if (options.script) return options.script(socket);
    relay(socket, options, tiny, sockets);
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  const tiny: TinySocks = {
    port,
    url: (scheme = 'socks5h') => `${scheme}://${joinHostPort(host, port)}`,
    connects: [],
    refusing: false,
    downForMs: 0,
    open: () => clients.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  return tiny;
}

/** Reads exactly `n` bytes (the server side of the handshake is sequential). */
export function reader(socket: Socket): (n: number) => Promise<Buffer> {
  let buffered = Buffer.alloc(0);
  let waiting: { n: number; resolve: (b: Buffer) => void } | undefined;
  const pump = () => {
    if (waiting && buffered.length >= waiting.n) {
      const { n, resolve } = waiting;
      waiting = undefined;
      const out = buffered.subarray(0, n);
      buffered = buffered.subarray(n);
      resolve(out);
    }
  };
  const onData = (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    pump();
  };
  socket.on('data', onData);
  return (n) =>
    new Promise((resolve) => {
      waiting = { n, resolve };
      pump();
    });
}

function relay(socket: Socket, options: TinySocksOptions, tiny: TinySocks, sockets: Set<Socket>): void {
  const read = reader(socket);
  void (async () => {
    const [, nmethods = 0] = await read(2);
    await read(nmethods);
    if (options.credentials) {
      socket.write(Buffer.from([5, 2]));
      const [, ulen = 0] = await read(2);
      const user = (await read(ulen)).toString();
      const [plen = 0] = await read(1);
      const pass = (await read(plen)).toString();
      const ok = user === options.credentials.user && pass === options.credentials.pass;
      socket.write(Buffer.from([1, ok ? 0 : 1]));
      if (!ok) return void socket.end();
    } else await reply(socket, options, 'greeting', [5, 0]);
    const [, , , atyp] = await read(4);
    let host: string;
    if (atyp === 1) host = [...(await read(4))].join('.');
    else if (atyp === 3) host = (await read((await read(1))[0] ?? 0)).toString();
    else host = `[${(await read(16)).toString('hex').match(/..../g)?.join(':') ?? ''}]`;
    const port = (await read(2)).readUInt16BE(0);
    const destination = `${host}:${port}`;
    tiny.connects.push(destination);
    if (tiny.refusing) return void socket.end(Buffer.from([5, 1, 0, 1, 0, 0, 0, 0, 0, 0]));
    if (tiny.downForMs > 0) {
      const answer = setTimeout(() => socket.end(Buffer.from([5, 1, 0, 1, 0, 0, 0, 0, 0, 0])), tiny.downForMs);
      return void socket.once('close', () => clearTimeout(answer));
    }
    if (options.closeBeforeConnectReply) return void socket.end();
    const local = splitHostPort(options.routes?.[destination] ?? '');
    if (!local) return void socket.end(Buffer.from([5, 5, 0, 1, 0, 0, 0, 0, 0, 0]));
    const target = connect(local);
    sockets.add(target);
    target.on('error', () => socket.destroy());
    target.on('close', () => socket.destroy());
    socket.on('close', () => target.destroy());
    target.once('connect', () => {
      socket.removeAllListeners('data');
      socket.pause(); // what the client sends behind the reply waits for the pipe
      void reply(socket, options, 'connect', [5, 0, 0, 1, 127, 0, 0, 1, 0, 0]).then(() => {
        socket.pipe(target);
        target.pipe(socket);
      });
    });
  })();
}

async function reply(socket: Socket, options: TinySocksOptions, step: 'greeting' | 'connect', bytes: number[]): Promise<void> {
  const split = options.splitReplies;
  if (!split?.steps.includes(step)) return void socket.write(Buffer.from(bytes));
  for (const byte of bytes) {
    socket.write(Buffer.from([byte]));
    await new Promise((resolve) => setTimeout(resolve, split.pauseMs));
  }
}
