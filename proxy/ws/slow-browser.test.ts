// The upstream's reads land in a buffer the session reuses (./tunnel-reads.ts). A browser socket that
// does not take a write at once keeps a view of that buffer — in its queue, or in a write under
// way — and the next read must not overwrite it. Here the browser is a stream whose writes stay
// pending until released, so every write after the first waits in its queue while the tunnel is
// read on: what it finally gets must be the upstream's messages, byte for byte.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Duplex } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '../config.ts';
import type { AccessRecord } from '../log.ts';
import { SocksDialer } from '../socks/dial.ts';
import { startEchoUpstream, type EchoUpstream } from '../test/echo-upstream.ts';
import { startTinySocks, type TinySocks } from '../test/tiny-socks.ts';
import { SessionBridge } from './bridge.ts';

/** A browser's socket whose writes are held, not done, from `hold()` until `release()`: the Writable queues the rest. */
class HeldBrowser extends Duplex {
  private readonly pending: { chunk: Buffer; done: () => void }[] = [];
  private released = true;
  readonly received: Buffer[] = [];
  constructor() {
    super({ writableHighWaterMark: 64 * 1024 * 1024 });
  }
  override _read(): void {}
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    if (this.released) {
      this.received.push(Buffer.from(chunk));
      return done();
    }
    this.pending.push({ chunk, done });
  }
  hold(): void {
    this.released = false;
  }
  release(): void {
    this.released = true;
    for (const { chunk, done } of this.pending.splice(0)) {
      this.received.push(Buffer.from(chunk));
      done();
    }
  }
}

let upstream: EchoUpstream | undefined;
let socks: TinySocks | undefined;
afterEach(async () => {
  await upstream?.close();
  await socks?.close();
});

function upgradeRequest(): IncomingMessage {
  const headers = { host: 'proxy', upgrade: 'websocket', connection: 'Upgrade', 'sec-websocket-key': randomBytes(16).toString('base64'), 'sec-websocket-version': '13' };
  return { method: 'GET', url: '/held', headers } as unknown as IncomingMessage;
}

/** An unmasked frame header for `bytes` of binary payload, as the upstream's `ws` writes it. */
function serverFrame(payload: Buffer): Buffer {
  const header = payload.length < 126 ? Buffer.from([0x82, payload.length]) : Buffer.from([0x82, 126, payload.length >> 8, payload.length & 0xff]);
  return Buffer.concat([header, payload]);
}

describe('a browser that takes writes late', () => {
  it('gets every message of the upstream byte for byte: the tunnel is read on into buffers nothing waits on', async () => {
    upstream = await startEchoUpstream();
    socks = await startTinySocks({ routes: { '100.84.184.84:8888': `127.0.0.1:${upstream.port}` } });
    const config = { ...defaultConfig(), wsUpgradeHoldMs: 0, wsRetryWindowMs: 0, wsPingIntervalMs: 0 };
    const dialer = new SocksDialer({ socksUrl: socks.url(), connectTimeoutMs: 2000, greetingTimeoutMs: 2000, connectReplyTimeoutMs: 2000 });
    const bridge = new SessionBridge({ config, dialer, upstreamHeaders: () => ({ host: '100.84.184.84:8888' }) });
    const browser = new HeldBrowser();
    const record: AccessRecord = { kind: 'ws', route: 'code', path: '/held', hops: {}, bytesUp: 0, bytesDown: 0, ms: 0 };
    bridge.accept(upgradeRequest(), browser, Buffer.alloc(0), { upstream: new URL('http://100.84.184.84:8888'), target: '/held' }, record, () => {});
    await expect.poll(() => upstream?.sockets.size).toBe(1);
    await expect.poll(() => browser.received.length).toBe(1); // the 101, taken at once
    browser.hold(); // from here, the first write stays under way and the rest wait behind it
    const [far] = [...(upstream?.sockets ?? [])];
    if (!far) throw new Error('no upstream socket');

    // Sizes that make every shape: whole frames, a frame's start held across reads, large frames as fragments.
    const messages = Array.from({ length: 400 }, (_, i) => randomBytes(i % 50 === 25 ? 40_000 : 1 + ((i * 131) % 4000)));
    // The first alone: its write stays under way, a view of the read buffer the next read would overwrite if it were reused.
    far.send(messages[0] as Buffer);
    await expect.poll(() => record.bytesDown).toBeGreaterThan(0);
    for (const message of messages.slice(1)) await new Promise((resolve) => far.send(message, resolve)); // a few to a read
    const expected = Buffer.concat(messages.map(serverFrame));
    // Fragment headers of the proxy's own only add bytes: this many have been written once all has.
    await expect.poll(() => record.bytesDown, { timeout: 10_000 }).toBeGreaterThanOrEqual(expected.length);
    browser.release();
    const [response, ...frames] = browser.received;
    expect(response?.subarray(0, 12).toString()).toBe('HTTP/1.1 101');
    expect(reassemble(Buffer.concat(frames))).toEqual(messages.map((m) => m.toString('hex')));
    await bridge.close(0);
  });
});

/** The binary messages of a server's frames (fragments joined), as hex. */
function reassemble(bytes: Buffer): string[] {
  const out: string[] = [];
  let parts: Buffer[] = [];
  for (let at = 0; at < bytes.length; ) {
    const len7 = (bytes[at + 1] ?? 0) & 0x7f;
    const header = len7 === 126 ? 4 : len7 === 127 ? 10 : 2;
    const length = len7 === 126 ? bytes.readUInt16BE(at + 2) : len7 === 127 ? Number(bytes.readBigUInt64BE(at + 2)) : len7;
    parts.push(bytes.subarray(at + header, at + header + length));
    if (((bytes[at] ?? 0) & 0x80) !== 0) {
      out.push(Buffer.concat(parts).toString('hex'));
      parts = [];
    }
    at += header + length;
  }
  return out;
}
