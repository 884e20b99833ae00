// The handle: live connection list with kill, 'log' and 'connection' events, transcripts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { server } from './fixture.ts';
import { startEcho, type Target } from './targets.ts';
import { RawClient } from './wire.ts';
import { GREETING_NO_AUTH, connectRequest } from './requests.ts';
import type { ConnectionRecord } from '../index.ts';

let echo: Target;
beforeAll(async () => {
  echo = await startEcho();
});
afterAll(() => echo.close());

describe('handle', () => {
  it('lists live connections with phase, destination and byte counts; kill ends one', async () => {
    const s = await server();
    const records: ConnectionRecord[] = [];
    s.on('connection', (r) => records.push(r));
    const relaying = await RawClient.open(s.port);
    relaying.send(GREETING_NO_AUTH + connectRequest('127.0.0.1', echo.port) + '6869');
    await relaying.bytes(14);
    const idle = await RawClient.open(s.port);
    await s.accepted(2);
    const [first, second] = s.connections();
    expect(first).toMatchObject({ id: 1, phase: 'relay', destination: `127.0.0.1:${echo.port}`, bytesUp: 2, bytesDown: 2 });
    expect(first?.remote).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(second).toMatchObject({ id: 2, phase: 'greeting' });
    s.kill(1);
    await relaying.closed();
    const closed = await s.closeOf(1);
    expect(closed).toMatchObject({ event: 'close', replyCode: 0, dialled: `127.0.0.1:${echo.port}`, bytesUp: 2, bytesDown: 2 });
    expect(s.connections().map((c) => c.id)).toEqual([2]);
    expect(records.filter((r) => r.event === 'open').map((r) => r.id)).toEqual([1, 2]);
    idle.destroy();
    await s.close();
    expect(s.connections()).toEqual([]);
  });

  it("emits 'log' lines as they happen, and the close record names the failure", async () => {
    const s = await server();
    const lines: string[] = [];
    s.on('log', (line) => lines.push(line));
    const client = await RawClient.open(s.port);
    client.send('0401');
    await client.closed();
    const record = await s.closeOf(1);
    expect(lines).toEqual(['socks5: client connection failed: incompatible SOCKS version']);
    expect(record.error).toBe('incompatible SOCKS version');
    await s.close();
  });

  it('keeps a hex transcript per conversation, both directions in order', async () => {
    const s = await server({ transcript: true });
    const client = await RawClient.open(s.port);
    client.send(GREETING_NO_AUTH);
    await client.bytes(2);
    client.send(connectRequest('127.0.0.1', echo.port));
    await client.bytes(12);
    client.send('6869');
    await client.bytes(14);
    client.destroy();
    await s.closeOf(1);
    const lines = s.transcript(1) ?? [];
    expect(lines[0]).toBe('> 050100');
    expect(lines[1]).toBe('< 0500');
    expect(lines[2]).toBe('> ' + connectRequest('127.0.0.1', echo.port));
    expect(lines[3]).toMatch(/^< 050000017f000001[0-9a-f]{4}$/);
    expect(lines.slice(4)).toEqual(['> 6869', '< 6869']);
    await s.close();
  });

  it('close() ends live connections, a dial in progress included', async () => {
    const s = await server({ dialTimeoutMs: 60_000, peers: [{ address: '100.64.1.1', ports: {}, state: 'down' }] });
    const client = await RawClient.open(s.port);
    client.send(GREETING_NO_AUTH + connectRequest('100.64.1.1', 80));
    await client.bytes(2);
    await s.close();
    await client.closed();
  });
});
