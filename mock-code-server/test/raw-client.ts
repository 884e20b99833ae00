// A protocol-level test client over `ws`: sends hand-built frames and waits for decoded messages,
// so server tests see exactly what the server wrote, with no client logic in between.
import { WebSocket } from 'ws';
import { fromUtf8 } from '../common/bytes.ts';
import { encodeMessage, MessageType, ProtocolReader, type ProtocolMessage } from '../common/framing.ts';
import { controlMessage } from '../common/handshake.ts';

export const COMMIT = '409c64e0df4d53530e59c16acc2b5d5766f717b0';

export interface RawClient {
  ws: WebSocket;
  frames: number;
  send(message: ProtocolMessage): void;
  sendBytes(bytes: Uint8Array): void;
  next(predicate?: (message: ProtocolMessage) => boolean): Promise<ProtocolMessage>;
  closed: Promise<number>;
}

export function wsUrl(base: string, query: Record<string, string>, path = `/stable-${COMMIT}`): string {
  return `${base.replace(/^http/, 'ws')}${path}?${new URLSearchParams(query).toString()}`;
}

export async function openRaw(url: string, headers: Record<string, string> = {}, protocols: string[] = []): Promise<RawClient> {
  const ws = new WebSocket(url, protocols, { headers, maxPayload: 512 * 1024 * 1024 });
  const reader = new ProtocolReader();
  const inbox: ProtocolMessage[] = [];
  const waiters: { predicate: (m: ProtocolMessage) => boolean; resolve: (m: ProtocolMessage) => void }[] = [];
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  const client: RawClient = {
    ws,
    frames: 0,
    send: (message) => ws.send(encodeMessage(message)),
    sendBytes: (bytes) => ws.send(bytes),
    next(predicate = () => true) {
      const index = inbox.findIndex(predicate);
      if (index >= 0) return Promise.resolve(inbox.splice(index, 1)[0] as ProtocolMessage);
      return new Promise((resolve, reject) => {
        waiters.push({ predicate, resolve });
        void closed.then(() => reject(new Error('socket closed while waiting for a message')));
      });
    },
    closed,
  };
  ws.on('message', (data: Buffer) => {
    client.frames++;
    for (const message of reader.acceptChunk(new Uint8Array(data))) {
      const waiter = waiters.findIndex((w) => w.predicate(message));
      if (waiter >= 0) waiters.splice(waiter, 1)[0]?.resolve(message);
      else inbox.push(message);
    }
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return client;
}

export const isControl = (m: ProtocolMessage): boolean => m.type === MessageType.Control;

export function controlJson(message: ProtocolMessage): unknown {
  return JSON.parse(fromUtf8(message.data)) as unknown;
}

/** auth → sign → connectionType; resolves with the server's answer to connectionType. */
export async function handshake(client: RawClient, desiredConnectionType: number, auth = '00000000000000000000', commit = COMMIT): Promise<ProtocolMessage> {
  client.send(controlMessage({ type: 'auth', auth, data: 'c0ffee00-0000-4000-8000-000000000000' }));
  const sign = controlJson(await client.next(isControl)) as { type: string; data: string };
  if (sign.type !== 'sign') throw new Error(`expected sign, got ${JSON.stringify(sign)}`);
  client.send(controlMessage({ type: 'connectionType', commit, signedData: sign.data, desiredConnectionType }));
  return client.next(isControl);
}
