// The soak's own parts: its detector does see a 1006 (so its "0 × 1006" means something), and a
// short run of the whole soak passes on the product.
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { acceptKey } from '../ws/handshake.ts';
import { openRawSession } from './raw-client.ts';
import { soak } from './run.ts';

const servers: Server[] = [];
afterAll(() => servers.forEach((s) => s.close()));

/** A server that answers the upgrade, then does `then` with the socket. */
async function upgradeThen(then: (socket: Socket) => void): Promise<number> {
  const server = createServer((socket) => {
    socket.once('data', (chunk: Buffer) => {
      const key = /sec-websocket-key: (\S+)/i.exec(chunk.toString('latin1'))?.[1] ?? '';
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-accept: ${acceptKey(key)}\r\n\r\n`);
      then(socket);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

describe('the soak', () => {
  it('its browser reports 1006 for a TCP end without a close frame, and the code of one that came', async () => {
    const dropped = await openRawSession('127.0.0.1', await upgradeThen((s) => s.end()), '/');
    expect(await dropped.closed).toBe(1006);
    const reset = await openRawSession('127.0.0.1', await upgradeThen((s) => s.resetAndDestroy()), '/');
    expect(await reset.closed).toBe(1006);
    const coded = await openRawSession('127.0.0.1', await upgradeThen((s) => s.end(Buffer.from([0x88, 2, 0x03, 0xf6]))), '/');
    expect(await coded.closed).toBe(1014);
  });

  it('passes a short run on the product (leak rounds, churn with faults and hostile frames, settle)', { timeout: 120_000 }, async () => {
    expect(await soak(['--seconds', '2', '--round-sessions', '50', '--concurrency', '8'])).toBe(true);
  });
});
