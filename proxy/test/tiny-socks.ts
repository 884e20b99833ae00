// A minimal SOCKS5 server for the proxy's own tests: either a relay that records every CONNECT
// (and only reaches the destinations it is given), or a script that plays raw bytes — for replies
// no well-behaved server sends (bad RSV, unknown ATYP) that the dialer must still reject.
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { joinHostPort, splitHostPort } from '../../common/host-port.ts';

export interface TinySocksOptions {
  host?: string;
  /** Raw mode: the test drives the socket itself. */
  script?: (socket: Socket) => void;
  /** Relay mode: CONNECT destination `host:port` → local `host:port`. Anything else gets `05 05`. */
  routes?: Record<string, string>;
  credentials?: { user: string; pass: string };
}

export interface TinySocks {
  port: number;
  url: (scheme?: string) => string;
  /** Every CONNECT destination requested, as `host:port`. */
  connects: string[];
  close(): Promise<void>;
}

export async function startTinySocks(options: TinySocksOptions): Promise<TinySocks> {
  const connects: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    if (options.script) return options.script(socket);
    relay(socket, options, connects, sockets);
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: (scheme = 'socks5h') => `${scheme}://${joinHostPort(host, port)}`,
    connects,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
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

function relay(socket: Socket, options: TinySocksOptions, connects: string[], sockets: Set<Socket>): void {
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
    } else socket.write(Buffer.from([5, 0]));
    const [, , , atyp] = await read(4);
    let host: string;
    if (atyp === 1) host = [...(await read(4))].join('.');
    else if (atyp === 3) host = (await read((await read(1))[0] ?? 0)).toString();
    else host = `[${(await read(16)).toString('hex').match(/..../g)?.join(':') ?? ''}]`;
    const port = (await read(2)).readUInt16BE(0);
    const destination = `${host}:${port}`;
    connects.push(destination);
    const local = splitHostPort(options.routes?.[destination] ?? '');
    if (!local) return void socket.end(Buffer.from([5, 5, 0, 1, 0, 0, 0, 0, 0, 0]));
    const target = connect(local);
    sockets.add(target);
    target.on('error', () => socket.destroy());
    target.on('close', () => socket.destroy());
    socket.on('close', () => target.destroy());
    target.once('connect', () => {
      socket.removeAllListeners('data');
      socket.write(Buffer.from([5, 0, 0, 1, 127, 0, 0, 1, 0, 0]));
      socket.pipe(target);
      target.pipe(socket);
    });
  })();
}
