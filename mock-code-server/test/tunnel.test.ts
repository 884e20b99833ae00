import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { concatBytes, fromUtf8, utf8 } from '../common/bytes.ts';
import { encodeMessage, MessageType, protocolMessage, ProtocolReader } from '../common/framing.ts';
import { controlMessage } from '../common/handshake.ts';
import { startServer, type ServerHandle } from '../node/server.ts';
import { COMMIT, controlJson, isControl, openRaw, wsUrl } from './raw-client.ts';

let server: ServerHandle;
let upper: Server;
let upperPort = 0;
beforeAll(async () => {
  server = await startServer();
  // A TCP service on the "remote" side: answers each chunk upper-cased.
  upper = createServer((socket) => socket.on('data', (data) => socket.write(data.toString().toUpperCase())));
  await new Promise<void>((resolve) => upper.listen(0, '127.0.0.1', resolve));
  upperPort = (upper.address() as { port: number }).port;
});
afterAll(async () => {
  await server.close();
  await new Promise((resolve) => upper.close(resolve));
});

async function tunnel(host: string, port: number, trailing?: Uint8Array) {
  const client = await openRaw(wsUrl(server.url, { reconnectionToken: `tunnel-${Math.random()}` }));
  client.send(controlMessage({ type: 'auth', auth: '00000000000000000000', data: 'x' }));
  await client.next(isControl);
  const connectionType = encodeMessage(controlMessage({ type: 'connectionType', commit: COMMIT, signedData: 'x', desiredConnectionType: 3, args: { host, port } }));
  client.sendBytes(trailing ? concatBytes([connectionType, trailing]) : connectionType);
  return { client, answer: controlJson(await client.next(isControl)) };
}

describe('Tunnel connections (type 3)', () => {
  it('answers ok, then relays raw bytes both ways to a loopback port', async () => {
    const { client, answer } = await tunnel('127.0.0.1', upperPort);
    expect(answer).toEqual({ type: 'ok' });
    const reply = new Promise<string>((resolve) => client.ws.once('message', (data: Buffer) => resolve(data.toString())));
    client.sendBytes(utf8('hello tunnel'));
    expect(await reply).toBe('HELLO TUNNEL');
    client.ws.terminate();
  });

  it('keeps raw bytes that arrived in the same frame as connectionType', async () => {
    const reply = new Promise<string>((resolve) => {
      void tunnel('127.0.0.1', upperPort, utf8('early bytes')).then(({ client }) => client.ws.once('message', (data: Buffer) => {
        resolve(data.toString());
        client.ws.terminate();
      }));
    });
    expect(await reply).toBe('EARLY BYTES');
  });

  it('never dials a non-loopback host: the socket just ends', async () => {
    const { client, answer } = await tunnel('100.84.184.84', 22);
    expect(answer).toEqual({ type: 'ok' });
    expect(await client.closed).toBe(1006);
  });
});

describe('ProtocolReader.drain', () => {
  it('returns the bytes of a partial message exactly', () => {
    const whole = encodeMessage(protocolMessage(MessageType.Regular, 1, 0, utf8('partial message')));
    for (const cut of [0, 5, 13, 20]) {
      const reader = new ProtocolReader();
      expect(reader.acceptChunk(whole.subarray(0, cut))).toEqual([]);
      expect(fromUtf8(reader.drain())).toBe(fromUtf8(whole.subarray(0, cut)));
      expect(reader.bufferedBytes).toBe(0);
    }
  });
});
