// The workbench's side of a code-server WebSocket, just far enough for the proxy's tests: open
// the socket the way the browser does and run the client-first handshake (auth → sign →
// connectionType → ok | error), using mock-code-server's isomorphic codec (its public common/index.ts).
import { randomUUID } from 'node:crypto';
import { controlMessage, encodeMessage, isObject, MessageType, parseControl, ProtocolReader } from '../../mock-code-server/common/index.ts';
import { openClient, type TestClient } from './ws-client.ts';
import type { ClientOptions } from 'ws';

export const commit = '409c64e0df4d53530e59c16acc2b5d5766f717b0';

export interface Workbench {
  client: TestClient;
  /** 'ok', `error: <reason>`, or how the socket ended first. */
  outcome: Promise<string>;
}

export function workbenchSocket(baseWsUrl: string, options: { token?: string; reconnection?: boolean; ws?: ClientOptions } = {}): Workbench {
  const token = options.token ?? randomUUID();
  const url = `${baseWsUrl}/stable-${commit}?reconnectionToken=${token}&reconnection=${options.reconnection ?? false}&skipWebSocketFrames=false`;
  const client = openClient(url, options.ws);
  const reader = new ProtocolReader();
  const outcome = new Promise<string>((resolve) => {
    client.closed.then((closed) => resolve(`closed ${closed.code}`), () => {});
    client.ws.on('open', () => client.ws.send(encodeMessage(controlMessage({ type: 'auth', auth: '00000000000000000000', data: randomUUID() }))));
    client.ws.on('message', (data: Buffer) => {
      for (const message of reader.acceptChunk(data)) {
        if (message.type !== MessageType.Control) continue;
        const control = parseControl(message.data);
        if (!isObject(control)) continue;
        if (control.type === 'sign') {
          client.ws.send(encodeMessage(controlMessage({ type: 'connectionType', commit, signedData: control.data, desiredConnectionType: 1 })));
        } else if (control.type === 'ok') resolve('ok');
        else if (control.type === 'error') resolve(`error: ${String(control.reason)}`);
      }
    });
  });
  return { client, outcome };
}
