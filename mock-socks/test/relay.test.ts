// The relay ends as soon as either direction ends (no half-close), and logs only non-EOF errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Socket } from 'node:net';
import { server } from './fixture.ts';
import { startEcho, startSender, type Target } from './targets.ts';
import { RawClient } from './wire.ts';
import { GREETING_NO_AUTH, connectRequest } from './requests.ts';

let delayedEcho: Target;
beforeAll(async () => {
  delayedEcho = await startEcho('127.0.0.1', 30);
});
afterAll(() => delayedEcho.close());

describe('relay', () => {
  it('a client half-close ends the session: the answer still on its way is lost', async () => {
    const s = await server();
    const client = await RawClient.open(s.port);
    client.send(GREETING_NO_AUTH + connectRequest('127.0.0.1', delayedEcho.port));
    await client.bytes(12);
    client.send('6869');
    client.shutdown();
    await client.closed();
    const record = await s.closeOf(1);
    expect(client.received.length).toBe(12);
    expect(record.bytesUp).toBe(2);
    expect(record.bytesDown).toBe(0);
    expect(s.logs()).toEqual([]);
    await s.close();
  });

  it('regression: a half-close pipelined with the CONNECT ends the session (the relay once waited for an end already seen)', async () => {
    // Found by the fuzzer: the handshake reader consumed the client's 'end', the relay never saw it,
    // and both sockets stayed open forever.
    const s = await server();
    const client = await RawClient.open(s.port);
    client.send(GREETING_NO_AUTH + connectRequest('127.0.0.1', delayedEcho.port) + '6869');
    client.shutdown();
    await client.closed();
    expect((await s.closeOf(1)).bytesUp).toBe(2);
    expect(s.connections()).toEqual([]);
    await s.close();
  });

  it('the target closing ends the session after its last bytes, nothing logged', async () => {
    const sender = await startSender(Buffer.from('bye'));
    const s = await server();
    const client = await RawClient.open(s.port);
    client.send(GREETING_NO_AUTH + connectRequest('127.0.0.1', sender.port));
    await client.closed();
    expect(client.received.subarray(12).toString()).toBe('bye');
    expect(client.ended).toBe('closed');
    expect(s.logs()).toEqual([]);
    await s.close();
    await sender.close();
  });

  it('a target reset is logged as Go’s read error, from backend to client', async () => {
    const target = createServer((socket: Socket) => socket.on('data', () => socket.resetAndDestroy()));
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', () => r()));
    const port = (target.address() as { port: number }).port;
    const s = await server();
    const client = await RawClient.open(s.port);
    client.send(GREETING_NO_AUTH + connectRequest('127.0.0.1', port));
    await client.bytes(12);
    client.send('00');
    await client.closed();
    const [line] = await s.logged(1);
    expect(line).toMatch(/^socks5: client connection failed: from backend to client: read tcp 127\.0\.0\.1:\d+->127\.0\.0\.1:\d+: read: connection reset by peer$/);
    await s.close();
    await new Promise((r) => target.close(r));
  });

  it('relays large payloads intact in both directions', async () => {
    const echo = await startEcho();
    const s = await server();
    const client = await RawClient.open(s.port);
    client.send(GREETING_NO_AUTH + connectRequest('127.0.0.1', echo.port));
    await client.bytes(12);
    const payload = Buffer.alloc(2 * 1024 * 1024, 'abcdefgh');
    client.socket.write(payload);
    await client.bytes(12 + payload.length, 10_000);
    expect(client.received.subarray(12).equals(payload)).toBe(true);
    client.destroy();
    await s.close();
    await echo.close();
  });

  it('faults set and cleared while bytes flow: every byte arrives once, in order', async () => {
    // The relay writes straight through with no fault and queues through stages with one; a switch
    // either way must not let a chunk overtake one still held by a stage.
    const echo = await startEcho();
    const s = await server();
    const client = await RawClient.open(s.port);
    client.send(GREETING_NO_AUTH + connectRequest('127.0.0.1', echo.port));
    await client.bytes(12);
    const staged = [
      { type: 'latency', where: 'upstream', attributes: { latencyMs: 3, jitterMs: 2 } },
      { type: 'slicer', where: 'downstream', attributes: { averageSizeBytes: 7, sizeVariationBytes: 3 } },
    ];
    const sent: Buffer[] = [];
    for (let i = 0; i < 200; i++) {
      const chunk = Buffer.alloc(100, i);
      sent.push(chunk);
      client.socket.write(chunk);
      if (i % 20 === 0) s.setFaults(i % 40 === 0 ? staged : []);
      if (i % 10 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    const expected = Buffer.concat(sent);
    await client.bytes(12 + expected.length, 10_000);
    expect(client.received.subarray(12).equals(expected)).toBe(true);
    client.destroy();
    await s.close();
    await echo.close();
  });
});
