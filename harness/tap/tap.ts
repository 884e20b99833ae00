// A recording SOCKS5 relay to put between an application and tailscaled: it forwards every byte
// both ways unchanged — FIN as FIN, RST as RST — and keeps each conversation's chunks, so the
// handshake can be read byte by byte afterwards (./annotate.ts) and flagged (./flags.ts).
// It speaks no SOCKS itself: the application's handshake reaches the server exactly as sent.
import { EventEmitter } from 'node:events';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { joinHostPort } from '../../common/host-port.ts';
import { socksServerAddresses } from '../../proxy/socks/address.ts';
import type { Side } from './annotate.ts';
import { Conversation, type Transcript } from './conversation.ts';

export interface TapOptions {
  /** `HOST:PORT` the application connects to; port 0 picks a free port. */
  listen: { host: string; port: number };
  /** The SOCKS server; `localhost` is tried as 127.0.0.1 then ::1 (RFC 6761), other names at every address. */
  socks: { host: string; port: number };
  /** Bytes kept per side per conversation (the rest is counted); default 64 KiB — a handshake is at most 513. */
  maxRecordedBytes?: number;
  /** TCP connect to each SOCKS server address, ms; default 2000. */
  connectTimeoutMs?: number;
  /** Finished conversations kept for transcripts() (the oldest go first); default 1000. */
  keep?: number;
}

export interface TapHandle {
  host: string;
  port: number;
  /** Finished conversations (the last `keep`), in the order they ended. */
  transcripts(): Transcript[];
  /** Conversations still open. */
  open(): number;
  on(event: 'conversation', fn: (transcript: Transcript) => void): void;
  off(event: 'conversation', fn: (transcript: Transcript) => void): void;
  /** Stops listening and ends every open conversation (recorded as closed by the tap). */
  close(): Promise<void>;
}

const DEFAULT_MAX_RECORDED_BYTES = 64 * 1024;
const DEFAULT_KEEP = 1000;

function remoteOf(socket: Socket): string {
  return joinHostPort(socket.remoteAddress ?? '?', socket.remotePort ?? 0);
}

/** First address of the SOCKS server that accepts a TCP connection. */
async function dialServer(options: TapOptions): Promise<{ socket: Socket; address: string }> {
  const errors: string[] = [];
  for (const host of await socksServerAddresses(options.socks.host)) {
    const address = joinHostPort(host, options.socks.port);
    try {
      const socket = await new Promise<Socket>((resolve, reject) => {
        const socket = connect({ host, port: options.socks.port, allowHalfOpen: true, noDelay: true, timeout: options.connectTimeoutMs ?? 2000 });
        socket.once('connect', () => {
          socket.setTimeout(0);
          socket.off('error', reject);
          resolve(socket);
        });
        socket.once('timeout', () => socket.destroy(Object.assign(new Error('connect timed out'), { code: 'ETIMEDOUT' })));
        socket.once('error', reject);
      });
      return { socket, address };
    } catch (error) {
      errors.push(`${address} ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
  }
  throw new Error(errors.join(', '));
}

/** Forwards one side to the other as it arrives, and its end the way it ended. */
function forward(from: Socket, to: Socket, side: Side, conversation: Conversation): void {
  from.on('data', (bytes: Buffer) => {
    conversation.record(side, bytes);
    if (to.destroyed || to.writableEnded) return;
    // Backpressure: a slow reader holds the sender through TCP, not through the tap's memory.
    if (!to.write(bytes)) {
      from.pause();
      to.once('drain', () => from.resume());
    }
  });
  from.on('end', () => {
    conversation.ended(side, 'FIN');
    if (!to.destroyed) to.end();
  });
  from.on('error', (error: NodeJS.ErrnoException) => {
    const reset = error.code === 'ECONNRESET';
    conversation.ended(side, reset ? 'RST' : 'error', error.code ?? error.message);
    if (to.destroyed) return;
    if (reset) to.resetAndDestroy();
    else to.destroy();
  });
  // Closed without an end or error of its own: the tap closed it (the other side reset, or stop).
  from.on('close', () => conversation.ended(side, 'tap'));
}

export async function startTap(options: TapOptions): Promise<TapHandle> {
  const events = new EventEmitter();
  const finished: Transcript[] = [];
  const live = new Set<Socket>();
  let nextId = 1;
  let openCount = 0;
  let stopping = false;

  const handle = (client: Socket): void => {
    const conversation = new Conversation(nextId++, remoteOf(client), options.maxRecordedBytes ?? DEFAULT_MAX_RECORDED_BYTES);
    openCount++;
    live.add(client);
    let server: Socket | undefined;
    const closed = [new Promise((resolve) => client.once('close', resolve))];
    const finish = () => {
      live.delete(client);
      if (server) live.delete(server);
      openCount--;
      const transcript = conversation.transcript();
      finished.push(transcript);
      // A tap left running for days must not keep every conversation it ever saw.
      if (finished.length > (options.keep ?? DEFAULT_KEEP)) finished.shift();
      events.emit('conversation', transcript);
    };
    // Until the server answers the client is paused (pauseOnConnect), so nothing it sends is lost.
    client.on('error', () => undefined);
    dialServer(options).then(
      ({ socket, address }) => {
        server = socket;
        conversation.server = address;
        conversation.via = joinHostPort(socket.localAddress ?? '?', socket.localPort ?? 0);
        if (client.destroyed) {
          // The client went away while the server was dialled (reset, or the tap stopping): the server gets a FIN.
          conversation.ended('client', stopping ? 'tap' : 'RST');
          socket.end();
        } else {
          live.add(socket);
          forward(client, socket, 'client', conversation);
          forward(socket, client, 'server', conversation);
          client.resume();
        }
        closed.push(new Promise((resolve) => socket.once('close', resolve)));
        void Promise.all(closed).then(finish);
      },
      (error: Error) => {
        conversation.dialError = error.message;
        conversation.server = joinHostPort(options.socks.host, options.socks.port);
        conversation.ended('server', 'error', error.message);
        // The application's connect succeeded, so a refusal can only be passed on as a reset.
        client.resetAndDestroy();
        void Promise.all(closed).then(finish);
      },
    );
  };

  const listener: Server = createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true }, handle);
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(options.listen.port, options.listen.host, () => {
      listener.off('error', reject);
      resolve();
    });
  });
  const bound = listener.address() as AddressInfo;
  return {
    host: bound.address,
    port: bound.port,
    transcripts: () => [...finished],
    open: () => openCount,
    on: (event, fn) => void events.on(event, fn),
    off: (event, fn) => void events.off(event, fn),
    close: async () => {
      stopping = true;
      const stopped = new Promise<void>((resolve) => listener.close(() => resolve()));
      const drained = openCount === 0 ? Promise.resolve() : new Promise<void>((resolve) => {
        const check = () => {
          if (openCount > 0) return;
          events.off('conversation', check);
          resolve();
        };
        events.on('conversation', check);
      });
      for (const socket of live) socket.destroy();
      await Promise.all([stopped, drained]);
    },
  };
}
