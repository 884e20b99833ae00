import { createServer, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startTinySocks, type TinySocks } from '../test/tiny-socks.ts';
import { SocksDialer, type SocksDialerOptions } from './dial.ts';

const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function socks(options: Parameters<typeof startTinySocks>[0]): Promise<TinySocks> {
  const server = await startTinySocks(options);
  servers.push(server);
  return server;
}

/** A TCP target that answers one line, standing in for the upstream behind the SOCKS server. */
async function target(): Promise<number> {
  const server = createServer((s) => s.end('hello\n'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push({ close: () => new Promise((resolve) => server.close(() => resolve())) });
  return (server.address() as AddressInfo).port;
}

function dialer(socksUrl: string, overrides: Partial<SocksDialerOptions> = {}): SocksDialer {
  return new SocksDialer({ socksUrl, connectTimeoutMs: 500, greetingTimeoutMs: 100, connectReplyTimeoutMs: 100, ...overrides });
}

async function readAll(socket: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of socket) text += String(chunk);
  return text;
}

async function causeOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'resolved',
    (error: Error) => error.message,
  );
}

describe('SocksDialer', () => {
  it.each(['127.0.0.1', '::1'])('reaches a SOCKS server bound to %s only through `localhost` (RFC 6761)', async (bind) => {
    const port = await target();
    const server = await socks({ host: bind, routes: { '100.84.184.84:8888': `127.0.0.1:${port}` } });
    const tunnel = await dialer(`socks5h://localhost:${server.port}`).dial({ host: '100.84.184.84', port: 8888 });
    expect(await readAll(tunnel.socket)).toBe('hello\n');
    expect(tunnel.server).toBe(bind === '::1' ? `[::1]:${server.port}` : `127.0.0.1:${server.port}`);
    expect(tunnel.steps.map((s) => s.step)).toContain('connect_reply');
  });

  it('names the refused address when a literal address is configured (scenario ipv6-only-bind, fixed profile)', async () => {
    const server = await socks({ host: '::1', routes: {} });
    expect(await causeOf(dialer(`socks5h://127.0.0.1:${server.port}`).dial({ host: '100.84.184.84', port: 8888 }))).toBe(`socks.connect_refused 127.0.0.1:${server.port}`);
  });

  it('sends names with socks5h and resolves them here with socks5', async () => {
    const port = await target();
    const server = await socks({ routes: { 'localhost:8888': `127.0.0.1:${port}`, '127.0.0.1:8888': `127.0.0.1:${port}` } });
    await readAll((await dialer(server.url('socks5h')).dial({ host: 'localhost', port: 8888 })).socket);
    await readAll((await dialer(server.url('socks5')).dial({ host: 'localhost', port: 8888 })).socket);
    expect(server.connects).toEqual(['localhost:8888', '127.0.0.1:8888']);
  });

  it('sends RFC 1929 credentials from the URL, and names a rejection', async () => {
    const port = await target();
    const server = await socks({ credentials: { user: 'alice', pass: 'p@ss' }, routes: { '100.84.184.84:8888': `127.0.0.1:${port}` } });
    const url = `socks5h://alice:${encodeURIComponent('p@ss')}@127.0.0.1:${server.port}`;
    expect(await readAll((await dialer(url).dial({ host: '100.84.184.84', port: 8888 })).socket)).toBe('hello\n');
    expect(await causeOf(dialer(`socks5h://alice:wrong@127.0.0.1:${server.port}`).dial({ host: '100.84.184.84', port: 8888 }))).toMatch(/^socks.auth_failed/);
  });

  it('fails a reply the npm socks client would accept (RSV ≠ 0) instead of relaying its bytes', async () => {
    const server = await socks({
      script: (s) => {
        s.once('data', () => {
          s.write(Buffer.from('0500', 'hex'));
          s.once('data', () => s.write(Buffer.from('050001017f0000010050', 'hex')));
        });
      },
    });
    expect(await causeOf(dialer(server.url()).dial({ host: '100.84.184.84', port: 8888 }))).toBe('socks.reply_invalid reply RSV 0x01');
  });

  it('fails an unknown ATYP, which the npm socks client hands on as data', async () => {
    const server = await socks({ script: (s) => s.once('data', () => (s.write(Buffer.from([5, 0])), s.once('data', () => s.write(Buffer.from([5, 0, 0, 9, 1, 2, 3, 4])))) ) });
    expect(await causeOf(dialer(server.url()).dial({ host: '100.84.184.84', port: 8888 }))).toBe('socks.reply_invalid reply ATYP 0x09');
  });

  it('says how much of a reply arrived before the server closed', async () => {
    const server = await socks({ script: (s) => s.once('data', () => (s.write(Buffer.from([5, 0])), s.once('data', () => s.end(Buffer.from([5, 0, 0, 1, 100, 64])))) ) });
    expect(await causeOf(dialer(server.url()).dial({ host: '100.84.184.84', port: 8888 }))).toBe('socks.reply_truncated (got 6 of 10 bytes of the connect reply)');
  });

  it('recognises a port that is not a SOCKS server', async () => {
    const server = await socks({ script: (s) => s.once('data', () => s.end('HTTP/1.1 400 Bad Request\r\n\r\n')) });
    expect(await causeOf(dialer(server.url()).dial({ host: '100.84.184.84', port: 8888 }))).toMatch(/^socks.not_socks got "HTTP\/1.1 400 Bad" \(48 54 54 50/);
  });

  it.each([
    ['greeting', () => {}],
    ['connect_reply', (s: Socket) => s.once('data', () => s.write(Buffer.from([5, 0])))],
  ] as const)('puts a deadline on the %s step', async (step, script) => {
    const server = await socks({ script });
    const started = performance.now();
    expect(await causeOf(dialer(server.url(), { greetingTimeoutMs: 60, connectReplyTimeoutMs: 80 }).dial({ host: '100.84.184.84', port: 8888 }))).toMatch(new RegExp(`^socks.timeout.${step} after ${step === 'greeting' ? 60 : 80} ms`));
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('abortAll ends a dial still waiting on its deadline, so shutdown does not wait it out', async () => {
    let greeted: () => void = () => {};
    const greeting = new Promise<void>((resolve) => (greeted = resolve));
    const server = await socks({ script: (s) => s.once('data', () => greeted()) }); // reads the greeting, never answers
    const d = dialer(server.url(), { greetingTimeoutMs: 600_000, connectReplyTimeoutMs: 600_000 });
    const pending = causeOf(d.dial({ host: '100.84.184.84', port: 8888 }));
    await greeting;
    d.abortAll();
    expect(await pending).toBe('socks.closed.greeting server closed the connection');
  });

  it('a budget shorter than the step deadlines ends the dial as the timeout of the step in progress', async () => {
    let closed = false;
    const server = await socks({ script: (s) => s.resume().once('close', () => (closed = true)) }); // reads the greeting, never answers
    const d = dialer(server.url(), { greetingTimeoutMs: 600_000, connectReplyTimeoutMs: 600_000 });
    expect(await causeOf(d.dial({ host: '100.84.184.84', port: 8888 }, { budgetMs: 50 }))).toMatch(/^socks\.timeout\.greeting after \d+ ms \(the dial's budget\)$/);
    await expect.poll(() => closed).toBe(true);
  });

  it('an aborted dial destroys its socket at once and rejects', async () => {
    let greeted: () => void = () => {};
    const greeting = new Promise<void>((resolve) => (greeted = resolve));
    let closed = false;
    const server = await socks({ script: (s) => s.once('data', () => greeted()).once('close', () => (closed = true)) });
    const caller = new AbortController();
    const pending = causeOf(dialer(server.url(), { greetingTimeoutMs: 600_000 }).dial({ host: '100.84.184.84', port: 8888 }, { signal: caller.signal }));
    await greeting;
    caller.abort();
    expect(await pending).toMatch(/^socks\.handshake_failed greeting: dial aborted/);
    await expect.poll(() => closed).toBe(true);
  });

  it('maps a SOCKS error reply to its RFC 1928 name', async () => {
    const server = await socks({ routes: {} }); // answers 05 05 for any destination
    expect(await causeOf(dialer(server.url()).dial({ host: '100.84.184.84', port: 8888 }))).toMatch(/^socks.reply_connection_refused/);
  });
});
