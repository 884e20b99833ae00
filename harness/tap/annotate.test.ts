// Reading SOCKS5 conversations: the recorded tailscale vectors (mock-socks's fixture) give, for
// each client's bytes, the line tailscaled logged; the reader must predict that line from the
// bytes alone, read each message the same whatever the read boundaries, and count the reads.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readHandshake, spacedHex, tailscaledLogFor, type Chunk } from './annotate.ts';

interface Vector {
  name: string;
  server: 'noauth' | 'auth';
  steps: ({ send: string } | { wait: number } | { shutdown: true } | { udp: string })[];
  expect: { reply: string; end: string; log: string[] };
}

const vectors = (JSON.parse(readFileSync(new URL('../../mock-socks/fixtures/tailscale-socks5-vectors.json', import.meta.url), 'utf8')) as { vectors: Vector[] }).vectors;
const LOG_PREFIX = 'socks5: client connection failed: ';
/** Lines that depend on the dial, not on the bytes: no reader of the bytes can predict them. */
const dialLine = /dial tcp|connect tcp|context deadline|udp/;

/** The vector's bytes as chunks: each client send one read, the server's reply one read (ports filled in). */
function chunksOf(vector: Vector, splitEveryByte = false): Chunk[] {
  const fill = (hex: string) => hex.replace(/\{[A-Z0-9_]+\}/g, '1f90').replace(/pppp/g, 'c350');
  const sends = vector.steps.flatMap((s) => ('send' in s ? [Buffer.from(fill(s.send), 'hex')] : []));
  const chunks: Chunk[] = [];
  const push = (from: Chunk['from'], bytes: Buffer) => {
    if (!splitEveryByte) return chunks.push({ from, bytes, at: 0 });
    for (const byte of bytes) chunks.push({ from, bytes: Buffer.from([byte]), at: 0 });
  };
  for (const bytes of sends) push('client', bytes);
  push('server', Buffer.from(fill(vector.expect.reply), 'hex'));
  return chunks;
}

describe('the recorded tailscale vectors', () => {
  const predictable = vectors.filter((v) => !v.expect.log.some((line) => dialLine.test(line)) && !v.steps.some((s) => 'udp' in s));

  it('covers most of them', () => {
    expect(predictable.length).toBeGreaterThanOrEqual(20);
  });

  it.each(predictable.map((v) => [v.name, v] as const))('%s: predicts tailscaled\'s log line from the bytes', (_name, vector) => {
    const reading = readHandshake(chunksOf(vector));
    const predicted = tailscaledLogFor(reading, true);
    expect(predicted === undefined ? [] : [`${LOG_PREFIX}${predicted}`]).toEqual(vector.expect.log);
  });

  it.each(vectors.map((v) => [v.name, v] as const))('%s: the same messages, read a byte at a time, each server reply counted in pieces', (_name, vector) => {
    const whole = readHandshake(chunksOf(vector));
    const split = readHandshake(chunksOf(vector, true));
    expect(split.messages.map((m) => [m.kind, m.bytes.toString('hex'), m.meaning])).toEqual(whole.messages.map((m) => [m.kind, m.bytes.toString('hex'), m.meaning]));
    for (const message of split.messages) expect(message.pieces).toBe(message.bytes.length);
    for (const message of whole.messages) expect(message.pieces).toBeLessThanOrEqual(1);
  });
});

describe('what each byte means', () => {
  const read = (client: string[], server: string[]) => readHandshake([
    ...client.map((hex) => ({ from: 'client' as const, bytes: Buffer.from(hex.replace(/ /g, ''), 'hex'), at: 0 })),
    ...server.map((hex) => ({ from: 'server' as const, bytes: Buffer.from(hex.replace(/ /g, ''), 'hex'), at: 0 })),
  ]);

  it('a CONNECT by MagicDNS name, answered with the node\'s tailnet address', () => {
    const name = Buffer.from('devbox.tail1234.ts.net').toString('hex');
    const reading = read(['05 02 00 01', `05 01 00 03 16 ${name} 22 b8`, '47 45 54'], ['05 00', '05 00 00 01 64 64 64 64 c3 50']);
    expect(reading.messages.map((m) => `${m.kind}: ${m.meaning}`)).toEqual([
      'greeting: VER 5, 2 methods: 00 no authentication, 01 GSSAPI',
      'method: VER 5, method 00 no authentication',
      'request: CONNECT devbox.tail1234.ts.net:8888 (ATYP 03 domain)',
      'reply: REP 00 succeeded, BND 100.100.100.100:50000',
    ]);
    expect(reading).toMatchObject({ state: 'relay', destination: 'devbox.tail1234.ts.net:8888', replyCode: 0, handshakeBytes: { client: 4 + 29, server: 12 } });
  });

  it('an IPv6 CONNECT refused with a general failure', () => {
    const reading = read(['05 01 00', '05 01 00 04 00000000000000000000000000000001 1f 90'], ['05 00', '05 01 00 01 00 00 00 00 00 00']);
    expect(reading.messages.at(2)?.meaning).toBe('CONNECT [::1]:8080 (ATYP 04 IPv6)');
    expect(reading.messages.at(3)?.meaning).toBe('REP 01 general SOCKS server failure, BND 0.0.0.0:0');
    expect(reading.state).toBe('refused');
  });

  it('an HTTP server holding the port', () => {
    const reading = read(['05 01 00'], [Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n').toString('hex')]);
    expect(reading.foreign).toMatchObject({ from: 'server', says: 'an HTTP response "HTTP/1.1 400 Bad Request"' });
  });

  it('a SOCKS4 client on the SOCKS5 port, answered 05 ff', () => {
    const reading = read(['04 01 00 50 7f 00 00 01 00'], ['05 ff']);
    expect(reading.foreign).toMatchObject({ from: 'client', says: 'a SOCKS4 message' });
    expect(reading.messages.map((m) => m.meaning)).toEqual(['VER 5, method ff no acceptable methods']);
  });

  it('RFC 1929 credentials: the password is masked wherever it is printed', () => {
    const reading = read(['05 01 02', '01 01 75 02 70 77'], ['05 02', '01 00']);
    const auth = reading.messages.find((m) => m.kind === 'auth');
    expect(auth?.meaning).toBe('VER 1, user "u", password (2 bytes)');
    expect(auth && spacedHex(auth.bytes, auth.secret)).toBe('01 01 75 02 ** **');
  });

  it('a reply cut short says how much of it came', () => {
    const reading = read(['05 01 00', '05 01 00 01 64 54 b8 54 22 b8'], ['05 00', '05 00 00 01']);
    expect(reading.messages.at(-1)?.meaning).toBe('cut short: 4 of 10 bytes');
    expect(reading.stuck).toEqual({ side: 'server', kind: 'reply', log: undefined });
  });
});
