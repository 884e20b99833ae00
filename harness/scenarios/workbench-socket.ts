// The workbench's side of a code-server WebSocket, just far enough for a test through the proxy:
// open the socket the way the browser does and run the client-first handshake (auth → sign →
// connectionType → ok | error), using mock-code-server's isomorphic codec (its public common/index.ts).
import { randomUUID } from 'node:crypto';
import { WebSocket, type ClientOptions } from 'ws';
import { DEFAULT_COMMIT as commit } from '../../mock-code-server/index.ts';
import { controlMessage, encodeMessage, isObject, MessageType, parseControl, ProtocolReader, workbenchSocketUrl } from '../../mock-code-server/common/index.ts';

/** The socket, and how it closed as a browser's onclose reports it (1006: no close frame, or the upgrade failed). */
export interface TestClient {
  ws: WebSocket;
  closed: Promise<{ code: number; reason: string }>;
}

function openClient(url: string, options: ClientOptions = {}): TestClient {
  const ws = new WebSocket(url, { perMessageDeflate: false, ...options });
  ws.on('error', () => {}); // reported through `closed` (1006), as a browser does
  return { ws, closed: new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() }))) };
}

export interface Workbench {
  client: TestClient;
  /** 'ok', `error: <reason>`, or how the socket ended first. */
  outcome: Promise<string>;
}

export function workbenchSocket(baseWsUrl: string, options: { token?: string; reconnection?: boolean; ws?: ClientOptions } = {}): Workbench {
  const token = options.token ?? randomUUID();
  const client = openClient(workbenchSocketUrl(baseWsUrl, commit, token, options.reconnection ?? false), options.ws);
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
