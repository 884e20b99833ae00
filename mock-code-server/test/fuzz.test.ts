// Random bytes and mutated recorded frames thrown at a live server: it must not crash, must end
// every connection it refuses, and must return to zero open sockets once clients are gone.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { concatBytes } from '../common/bytes.ts';
import { ProtocolError } from '../common/errors.ts';
import { encodeMessage, MessageType, protocolMessage, ProtocolReader } from '../common/framing.ts';
import { parseControl } from '../common/handshake.ts';
import { decodeIpc, encodeRequest } from '../common/ipc.ts';
import { connectWorkbench } from '../common/workbench.ts';
import { ECHO_CHANNEL } from '../node/management.ts';
import { startServer, type ServerHandle } from '../node/server.ts';
import { COMMIT, controlJson, handshake, openRaw, wsUrl } from './raw-client.ts';
import { recorded } from './recorded-frames.ts';
import { mulberry32 } from '../../common/prng.ts';
import { randomBytes } from './random-bytes.ts';

const SEED = 20261122;
const rand = mulberry32(SEED);
const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
const frames = Object.values(recorded);

/** A recorded frame with one mutation: flipped bytes, a forged length or type, or a cut. */
function mutatedFrame(): Uint8Array {
  const frame = pick(frames).slice();
  const view = new DataView(frame.buffer);
  switch (Math.floor(rand() * 5)) {
    case 0:
      for (let i = 0; i < 1 + rand() * 4; i++) frame[Math.floor(rand() * frame.length)] = Math.floor(rand() * 256);
      return frame;
    case 1:
      view.setUint32(9, Math.floor(rand() * 0xffffffff));
      return frame;
    case 2:
      view.setUint8(0, Math.floor(rand() * 256));
      return frame;
    case 3:
      return frame.subarray(0, Math.floor(rand() * frame.length));
    default:
      return concatBytes([frame, randomBytes(rand, Math.floor(rand() * 64))]);
  }
}

let server: ServerHandle;
beforeAll(async () => {
  server = await startServer({ timeScale: 0.01 });
});
afterAll(async () => server.close());

function waitClose(ws: WebSocket): Promise<void> {
  return new Promise((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) resolve();
    else ws.once('close', () => resolve());
  });
}

async function randomTcp(): Promise<void> {
  const socket = connect(server.port, '127.0.0.1');
  socket.on('error', () => undefined);
  await new Promise((resolve) => socket.once('connect', resolve));
  const garbage = rand() < 0.5 ? randomBytes(rand, 1 + Math.floor(rand() * 2000)) : Buffer.from(`GET /${'x'.repeat(Math.floor(rand() * 50))} HTTP/1.1\r\nHost: \u0000\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: ${Math.floor(rand() * 20)}\r\n\r\n`);
  socket.end(garbage);
  await new Promise((resolve) => socket.once('close', resolve));
}

async function garbageOverWebSocket(): Promise<void> {
  const ws = new WebSocket(wsUrl(server.url, { reconnectionToken: `fuzz-${rand()}`, reconnection: String(rand() < 0.3) }));
  ws.on('error', () => undefined);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const count = 1 + Math.floor(rand() * 8);
  for (let i = 0; i < count && ws.readyState === WebSocket.OPEN; i++) {
    const mode = rand();
    if (mode < 0.3) ws.send(randomBytes(rand, Math.floor(rand() * 300)));
    else if (mode < 0.9) ws.send(mutatedFrame());
    else ws.send(`text frame ${rand()}`);
  }
  ws.terminate();
  await waitClose(ws);
}

async function garbageAfterHandshake(): Promise<void> {
  const client = await openRaw(wsUrl(server.url, { reconnectionToken: `fuzz-ok-${rand()}`, reconnection: 'false' }));
  const answer = controlJson(await handshake(client, pick([1, 2]))) as Record<string, unknown>;
  expect(answer.type).not.toBe('error');
  for (let id = 1; id < 2 + rand() * 10; id++) {
    const data = rand() < 0.5 ? randomBytes(rand, Math.floor(rand() * 100)) : encodeRequest(Math.floor(rand() * 1e6), pick(['mock-echo', 'remoteextensionsenvironment', 'x']), pick(['echo', 'fail', 'getEnvironmentData', '']), randomBytes(rand, 5));
    client.send(protocolMessage(pick([MessageType.Regular, MessageType.Regular, MessageType.Ack, MessageType.ReplayRequest, MessageType.Pause, MessageType.Resume, 4, 200]), id, Math.floor(rand() * 1e6), data));
  }
  client.ws.terminate();
  await client.closed;
}

describe('fuzzing the server', () => {
  it(`survives random bytes and mutated frames (seed ${SEED}) and leaks no socket`, async () => {
    const runs = { tcp: 0, ws: 0, afterHandshake: 0 };
    for (let batch = 0; batch < 25; batch++) {
      const work: Promise<void>[] = [];
      for (let i = 0; i < 8; i++) {
        const kind = rand();
        if (kind < 0.25) {
          runs.tcp++;
          work.push(randomTcp());
        } else if (kind < 0.75) {
          runs.ws++;
          work.push(garbageOverWebSocket());
        } else {
          runs.afterHandshake++;
          work.push(garbageAfterHandshake());
        }
      }
      await Promise.all(work);
    }
    expect(runs.tcp + runs.ws + runs.afterHandshake).toBe(200);
    await expect.poll(() => server.openSockets(), { timeout: 10_000 }).toBe(0);

    // Still a working code-server afterwards.
    const workbench = await connectWorkbench({ baseUrl: server.url, WebSocket, commit: COMMIT, timeScale: 0.01 });
    expect(await workbench.management.call(ECHO_CHANNEL, 'echo', 'alive')).toBe('alive');
    workbench.close();
    await expect.poll(() => server.openSockets(), { timeout: 10_000 }).toBe(0);
  });

  it('ends a socket whose frame declares more than the largest accepted message', async () => {
    const client = await openRaw(wsUrl(server.url, { reconnectionToken: 'huge' }));
    const header = encodeMessage(protocolMessage(MessageType.Regular, 1, 0)).slice();
    new DataView(header.buffer).setUint32(9, 0xffffffff);
    client.sendBytes(header);
    expect(await client.closed).toBe(1006);
  });
});

describe('fuzzing the pure decoders', () => {
  it('only ever throws ProtocolError, for 20,000 random inputs', () => {
    for (let i = 0; i < 20_000; i++) {
      const bytes = rand() < 0.5 ? randomBytes(rand, Math.floor(rand() * 64)) : mutatedFrame();
      for (const decode of [() => new ProtocolReader({ maxMessageBytes: 1 << 20 }).acceptChunk(bytes), () => decodeIpc(bytes), () => parseControl(bytes)]) {
        try {
          decode();
        } catch (error) {
          expect(error).toBeInstanceOf(ProtocolError);
        }
      }
    }
  });
});
