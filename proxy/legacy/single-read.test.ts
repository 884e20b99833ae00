import { createServer, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SocksDialer, type SocksDialError, type SocksDialerOptions, type SocksTunnel } from '../socks/dial.ts';
import { startTinySocks, type TinySocksOptions } from '../test/tiny-socks.ts';
import { SingleReadSocksDialer } from './single-read.ts';

// The legacy knob `singleReadReplies` against a SOCKS server whose replies arrive a byte at a time
// (scenario truncated-reply-split): the naive parser must fail where the fixed dialer reassembles,
// and pass where replies come whole.

const peer = '100.84.184.84';
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** The tests' SOCKS relay with the tailnet peer's port 8888 on an echo server. */
async function socksToPeer(options: Omit<TinySocksOptions, 'routes'> = {}): Promise<string> {
  const target = createServer((s) => s.pipe(s));
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => target.close(() => resolve())));
  const socks = await startTinySocks({ routes: { [`${peer}:8888`]: `127.0.0.1:${(target.address() as AddressInfo).port}` }, ...options });
  closers.push(() => socks.close());
  return socks.url();
}

const options = (socksUrl: string): SocksDialerOptions => ({ socksUrl, connectTimeoutMs: 500, greetingTimeoutMs: 2000, connectReplyTimeoutMs: 2000 });

// 20 ms between pieces: each piece is its own read even on a loaded machine.
const split = (step: 'greeting' | 'connect'): Omit<TinySocksOptions, 'routes'> => ({ splitReplies: { steps: [step], pauseMs: 20 } });

/** What comes back through the tunnel for `ping` (a split reply's leftovers would come first). */
async function echoThrough(tunnel: SocksTunnel): Promise<string> {
  const { socket } = tunnel;
  socket.on('error', () => {});
  const echoed = new Promise<string>((resolve) => socket.once('data', (chunk: Buffer) => resolve(chunk.toString('latin1'))));
  socket.write('ping');
  const text = await echoed;
  socket.destroy();
  return text;
}

describe('legacy singleReadReplies: the first read after a request is the whole reply', () => {
  it('connects when every reply arrives in one piece (the knob alone breaks nothing)', async () => {
    const tunnel = await new SingleReadSocksDialer(options(await socksToPeer())).dial({ host: peer, port: 8888 });
    expect(await echoThrough(tunnel)).toBe('ping');
    expect(tunnel.steps.map((s) => `${s.step} ${s.ok}`)).toEqual(['tcp_connect true', 'greeting true', 'connect_reply true']);
  });

  it('misparses a greeting reply that arrives a byte at a time', async () => {
    const url = await socksToPeer(split('greeting'));
    await expect(new SingleReadSocksDialer(options(url)).dial({ host: peer, port: 8888 })).rejects.toThrow('socks.reply_misparsed (legacy single read) the greeting read as 1 byte: 05');
    // The fixed dialer, same server: reassembled.
    expect(await echoThrough(await new SocksDialer(options(url)).dial({ host: peer, port: 8888 }))).toBe('ping');
  });

  it('misparses a CONNECT reply that arrives a byte at a time', async () => {
    const url = await socksToPeer(split('connect'));
    const failure = new SingleReadSocksDialer(options(url)).dial({ host: peer, port: 8888 });
    await expect(failure).rejects.toThrow('socks.reply_misparsed (legacy single read) the connect reply read as 1 byte: 05');
    const steps = await failure.then(
      () => [],
      (error: SocksDialError) => error.steps.map((step) => `${step.step} ${step.ok}`),
    );
    expect(steps).toEqual(['tcp_connect true', 'greeting true', 'connect_reply false']);
    expect(await echoThrough(await new SocksDialer(options(url)).dial({ host: peer, port: 8888 }))).toBe('ping');
  });

  it('names the step when the server closes before replying', async () => {
    const url = await socksToPeer({ closeBeforeConnectReply: true });
    await expect(new SingleReadSocksDialer(options(url)).dial({ host: peer, port: 8888 })).rejects.toThrow(/^socks\.closed\.connect_reply/);
  });
});
