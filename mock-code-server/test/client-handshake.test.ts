// The client's side of a handshake that goes wrong, against minimal hand-written servers.
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { encodeMessage } from '../common/framing.ts';
import { controlMessage } from '../common/handshake.ts';
import type { ProtocolError } from '../common/errors.ts';
import { connectWorkbench } from '../common/workbench.ts';
import { COMMIT } from './raw-client.ts';

let http: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => (http ? http.close(resolve) : resolve(undefined)));
  http = undefined;
});

/** A WebSocket server that answers each client message with `reply` (or stays silent). */
async function scriptedServer(reply: ((message: Buffer) => Uint8Array | undefined) | undefined): Promise<string> {
  http = createServer();
  const wss = new WebSocketServer({ server: http });
  wss.on('connection', (ws) => {
    ws.on('message', (data: Buffer) => {
      const answer = reply?.(data);
      if (answer) ws.send(answer);
    });
  });
  http.on('close', () => {
    for (const client of wss.clients) client.terminate();
  });
  await new Promise<void>((resolve) => http!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(http.address() as { port: number }).port}`;
}

const connect = (baseUrl: string, timeScale: number) =>
  connectWorkbench({ baseUrl, WebSocket, commit: COMMIT, timeScale, extensionHost: false }).catch((error: unknown) => error as ProtocolError);

describe('client handshake failures', () => {
  it('gives up on a server that never answers auth (10 s wait, scaled), after 5 attempts', async () => {
    const error = await connect(await scriptedServer(undefined), 0.001);
    expect(error).toMatchObject({ code: 'RECONNECT_FAILED', message: 'The workbench failed to connect to the server (Error: no handshake answer within 10 ms)' });
  });

  it('fails with "Unexpected handshake message" when the server answers auth with something else than sign', async () => {
    const error = await connect(await scriptedServer(() => encodeMessage(controlMessage({ type: 'ok' }))), 1);
    expect(error).toMatchObject({ code: 'RECONNECT_FAILED', message: 'The workbench failed to connect to the server (Error: Unexpected handshake message)' });
  });
});
