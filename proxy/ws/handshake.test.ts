import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import type { IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { acceptKey, browserAcceptResponse, upstreamUpgrade } from './handshake.ts';

describe('browser handshake', () => {
  it('computes Sec-WebSocket-Accept as RFC 6455 §1.3 shows', () => {
    expect(acceptKey('dGhlIHNhbXBsZSBub25jZQ==')).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });

  const request = (headers: Record<string, string>, method = 'GET') => ({ method, headers }) as unknown as IncomingMessage;
  const valid = { upgrade: 'websocket', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', 'sec-websocket-version': '13' };

  it('answers 101 with the first offered subprotocol and no extension', () => {
    const response = browserAcceptResponse(request({ ...valid, 'sec-websocket-protocol': 'tty, other', 'sec-websocket-extensions': 'permessage-deflate' }));
    expect(response).toBe('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: tty\r\n\r\n');
  });

  it.each([
    ['no key', { upgrade: 'websocket', 'sec-websocket-version': '13' }],
    ['a short key', { ...valid, 'sec-websocket-key': 'c2hvcnQ=' }],
    ['version 8', { ...valid, 'sec-websocket-version': '8' }],
    ['Upgrade: h2c', { ...valid, upgrade: 'h2c' }],
  ])('refuses an upgrade with %s', (_name, headers) => {
    expect(() => browserAcceptResponse(request(headers))).toThrow(/^route.bad_upgrade/);
  });
});

describe('upstream handshake', () => {
  const sockets: Socket[] = [];
  afterEach(() => {
    for (const s of sockets.splice(0)) s.destroy();
  });

  /** An upstream that answers the upgrade request with `answer(key)`. */
  async function tunnelTo(answer: (key: string) => string | null): Promise<Socket> {
    const server = createServer((socket) => {
      sockets.push(socket);
      let head = '';
      socket.on('data', (chunk: Buffer) => {
        head += chunk.toString('latin1');
        if (!head.includes('\r\n\r\n')) return;
        const key = /sec-websocket-key: (\S+)/i.exec(head)?.[1] ?? '';
        const reply = answer(key);
        if (reply === null) socket.end();
        else socket.write(reply, 'latin1');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    server.unref();
    const tunnel = connect((server.address() as AddressInfo).port, '127.0.0.1');
    sockets.push(tunnel);
    await new Promise((resolve) => tunnel.once('connect', resolve));
    return tunnel;
  }

  const cause = (p: Promise<unknown>) => p.then(() => 'resolved', (e: Error) => e.message);

  it('resolves on a valid 101 with the bytes that followed it', async () => {
    const tunnel = await tunnelTo((key) => `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptKey(key)}\r\n\r\n\x82\x01A`);
    expect([...(await upstreamUpgrade(tunnel, '/x?q=1', { host: 'h' }, [], 1000))]).toEqual([0x82, 0x01, 0x41]);
  });

  it.each([
    ['a refusal', () => 'HTTP/1.1 403 Forbidden\r\n\r\n', 'upstream.upgrade_refused (HTTP 403)'],
    ['a wrong accept key', () => 'HTTP/1.1 101 Switching Protocols\r\nSec-WebSocket-Accept: nope\r\n\r\n', 'upstream.invalid_upgrade wrong Sec-WebSocket-Accept'],
    ['an extension never offered', (key: string) => `HTTP/1.1 101 Switching Protocols\r\nSec-WebSocket-Accept: ${acceptKey(key)}\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n`, 'upstream.invalid_upgrade an extension was negotiated that was not offered'],
    ['garbage', () => 'SSH-2.0-OpenSSH_9.6\r\n\r\n', 'upstream.upgrade_refused (HTTP "SSH-2.0-OpenSSH_9.6")'],
    ['a close before answering', () => null, 'upstream.closed_before_upgrade the upstream ended the connection before answering'],
  ])('fails on %s', async (_name, answer, expected) => {
    expect(await cause(upstreamUpgrade(await tunnelTo(answer), '/', {}, [], 1000))).toBe(expected);
  });

  it('has a deadline for the 101', async () => {
    expect(await cause(upstreamUpgrade(await tunnelTo(() => ''), '/', {}, [], 40))).toBe('upstream.timeout.upgrade no 101 after 40 ms');
  });
});
