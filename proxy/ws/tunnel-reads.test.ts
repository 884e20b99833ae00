// The tunnel's reads into the session's own buffers, over real loopback sockets: 'data' copies until
// the relay takes over, then views with room in front, one buffer reused read after read unless a
// write still holds part of it, small while reads are small.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { frontRoomBytes, TunnelReads } from './tunnel-reads.ts';

let server: Server | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

/** A connected pair: `peer` (the far end, which writes) and `tunnel`, reading through `reads`. */
async function pair(reads: TunnelReads): Promise<{ peer: Socket; tunnel: Socket }> {
  const accepted = new Promise<Socket>((resolve) => {
    server = createServer(resolve);
    server.listen(0, '127.0.0.1');
  });
  await new Promise((resolve) => server?.once('listening', resolve));
  const address = server?.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  const tunnel = connect({ host: '127.0.0.1', port: address.port, onread: reads.onread });
  reads.attach(tunnel);
  const peer = await accepted;
  sockets.push(peer, tunnel);
  return { peer, tunnel };
}

interface Read {
  bytes: string;
  room: number;
  /** The whole buffer the view lies in, and where. */
  buffer: ArrayBufferLike;
  byteOffset: number;
  areaBytes: number;
}

/** Relays reads into a list (copying what they say), resolving `next()` per read. */
function recordReads(reads: TunnelReads, onRead?: (chunk: Buffer) => void): { next(): Promise<Read> } {
  const queue: Read[] = [];
  const waiters: ((read: Read) => void)[] = [];
  reads.relayTo({ tunnelRead: (chunk, room) => {
    onRead?.(chunk);
    const read = { bytes: chunk.toString('latin1'), room, buffer: chunk.buffer, byteOffset: chunk.byteOffset, areaBytes: chunk.buffer.byteLength - frontRoomBytes };
    const waiter = waiters.shift();
    if (waiter) waiter(read);
    else queue.push(read);
  } });
  return { next: () => new Promise((resolve) => (queue.length ? resolve(queue.shift() as Read) : waiters.push(resolve))) };
}

describe('TunnelReads', () => {
  it('hands reads over as data events of copies until the relay takes them, then as views with the room in front', async () => {
    const reads = new TunnelReads();
    const { peer, tunnel } = await pair(reads);
    peer.write('SOCKS reply');
    const data = await new Promise<Buffer>((resolve) => tunnel.once('data', resolve));
    expect(data.toString()).toBe('SOCKS reply');
    const relayed = recordReads(reads);
    peer.write('first frame');
    const read = await relayed.next();
    expect(read).toMatchObject({ bytes: 'first frame', room: frontRoomBytes, byteOffset: frontRoomBytes });
    expect(data.buffer).not.toBe(read.buffer); // the copy is not the read buffer, which the next read overwrote
  });

  it('reuses one buffer while nothing holds it, and reads into a fresh one after a write lent it out', async () => {
    const reads = new TunnelReads();
    const { peer } = await pair(reads);
    let lendNext = false;
    const relayed = recordReads(reads, () => {
      if (lendNext) reads.lend();
    });
    peer.write('a');
    const a = await relayed.next();
    peer.write('b');
    const b = await relayed.next();
    expect(b.buffer).toBe(a.buffer);
    lendNext = true;
    peer.write('c');
    const c = await relayed.next();
    lendNext = false;
    peer.write('d');
    const d = await relayed.next();
    expect(c.buffer).toBe(a.buffer);
    expect(d.buffer).not.toBe(a.buffer); // 'c' still waits in a queue: 'd' must not overwrite it
    expect([a.bytes, b.bytes, c.bytes, d.bytes].join('')).toBe('abcd');
  });

  it('copies a small view that will wait in the browser socket’s queue, lends a large one, and leaves it alone outside a read', async () => {
    const reads = new TunnelReads();
    const outside = Buffer.from('keepalive');
    expect(reads.keep(outside, true)).toBe(outside);
    const { peer } = await pair(reads);
    let kept: { small: boolean; large: boolean } | undefined;
    const relayed = recordReads(reads, (chunk) => {
      if (kept) return;
      kept = { small: false, large: false };
      kept.small = reads.keep(chunk.subarray(0, 10), true).buffer !== chunk.buffer;
      kept.large = reads.keep(chunk, true) === chunk;
    });
    peer.write(Buffer.alloc(2048, 1)); // fills the small area: the large one follows, lent by keep()
    const first = await relayed.next();
    peer.write('x');
    const second = await relayed.next();
    expect(kept).toEqual({ small: true, large: true });
    expect(second.buffer).not.toBe(first.buffer);
  });

  it('reads into the large area once a read fills the small one, and back into a small one after a run of small reads', async () => {
    const reads = new TunnelReads();
    const { peer } = await pair(reads);
    const relayed = recordReads(reads);
    peer.write(Buffer.alloc(5000, 2));
    const first = await relayed.next();
    const second = await relayed.next();
    expect([first.bytes.length, first.areaBytes, second.bytes.length, second.areaBytes]).toEqual([2048, 2048, 5000 - 2048, 64 * 1024]);
    const areas: number[] = [];
    for (let i = 0; i < 18; i++) {
      peer.write('s');
      areas.push((await relayed.next()).areaBytes);
    }
    // The 16th small read in a row gives the large area back: the read after it is small.
    expect(areas.slice(0, 16).every((bytes) => bytes === 64 * 1024)).toBe(true);
    expect(areas.slice(16)).toEqual([2048, 2048]);
  });
});
