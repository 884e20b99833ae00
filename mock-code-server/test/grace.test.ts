import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HandshakeErrorReason } from '../common/handshake.ts';
import { startServer, type ServerHandle } from '../node/server.ts';
import { ManualClock } from './manual-clock.ts';
import { controlJson, handshake, openRaw, wsUrl } from './raw-client.ts';

const HOUR = 60 * 60 * 1000;
const MINUTE = 60 * 1000;
const clock = new ManualClock();
let server: ServerHandle;
beforeAll(async () => {
  // timeScale 1 and a hand-driven clock: the real 3 h and 5 min, without waiting for them.
  server = await startServer({ clock });
});
afterAll(async () => server.close());

async function connectAndDrop(token: string, reconnection: boolean, type = 1): Promise<unknown> {
  const client = await openRaw(wsUrl(server.url, { reconnectionToken: token, reconnection: String(reconnection) }));
  const answer = controlJson(await handshake(client, type));
  client.ws.terminate();
  await client.closed;
  await expect.poll(() => server.openSockets(), { timeout: 10_000 }).toBe(0);
  return answer;
}

describe('reconnection grace times', () => {
  it('keeps a dropped session 3 h, then forgets it ("seen before")', async () => {
    expect(await connectAndDrop('grace-a', false)).toEqual({ type: 'ok' });
    clock.advance(3 * HOUR - 1);
    expect(await connectAndDrop('grace-a', true)).toEqual({ type: 'ok' });
    clock.advance(3 * HOUR);
    expect(await connectAndDrop('grace-a', true)).toEqual({ type: 'error', reason: HandshakeErrorReason.UnknownTokenSeenBefore });
  });

  it('cuts every waiting session to 5 min once another client connects', async () => {
    expect(await connectAndDrop('grace-b', false)).toEqual({ type: 'ok' });
    clock.advance(HOUR);
    expect(await connectAndDrop('grace-c', false)).toEqual({ type: 'ok' });
    clock.advance(5 * MINUTE - 1);
    expect(await connectAndDrop('grace-b', true)).toEqual({ type: 'ok' });
    // grace-b reconnected and dropped again: its full 3 h applies anew, but a new client cuts it.
    expect(await connectAndDrop('grace-d', false)).toEqual({ type: 'ok' });
    clock.advance(5 * MINUTE);
    expect(await connectAndDrop('grace-b', true)).toEqual({ type: 'error', reason: HandshakeErrorReason.UnknownTokenSeenBefore });
  });

  it('is not cut by a new extension host connection (the same workbench, not another client)', async () => {
    expect(await connectAndDrop('grace-e', false)).toEqual({ type: 'ok' });
    expect(await connectAndDrop('grace-f', false, 2)).toEqual({});
    clock.advance(HOUR);
    expect(await connectAndDrop('grace-e', true)).toEqual({ type: 'ok' });
  });
});
