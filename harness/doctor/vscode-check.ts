// The start of the VS Code remote handshake over an open WebSocket, as the workbench speaks it
// (remoteAgentConnection.ts): auth → sign, then connectionType (management) → ok, then a
// Disconnect so code-server drops the session at once instead of keeping it for a reconnection.
import type WebSocket from 'ws';
import { hex, randomUuid } from '../../mock-code-server/common/bytes.ts';
import { HEADER_LENGTH, MessageType, ProtocolReader, encodeMessage, protocolMessage, type ProtocolMessage } from '../../mock-code-server/common/framing.ts';
import { ConnectionType, NO_CONNECTION_TOKEN, controlMessage, isObject, parseControl } from '../../mock-code-server/common/handshake.ts';
import type { WireLine } from './types.ts';

export type HandshakeOutcome =
  | { kind: 'ok'; detail: string }
  | { kind: 'rejected'; reason: string }
  | { kind: 'unexpected'; detail: string }
  | { kind: 'timeout'; waitedFor: string }
  | { kind: 'closed'; code: number; reason: string; waitedFor: string };

/** `02 00000000 00000000 00000052` — type, id, ack, length — then the JSON. */
function line(dir: '>' | '<', message: ProtocolMessage, data: unknown): WireLine {
  const header = hex(encodeMessage(message).subarray(0, HEADER_LENGTH));
  const spaced = `${header.slice(0, 2)} ${header.slice(2, 10)} ${header.slice(10, 18)} ${header.slice(18, 26)}`;
  return { dir, hex: spaced, text: JSON.stringify(data) };
}

/** Control messages as they arrive; other message types (Pause, Resume…) are not the handshake's. */
function controlMessages(ws: WebSocket): { next(timeoutMs: number): Promise<ProtocolMessage | { closed: { code: number; reason: string } } | undefined> } {
  const reader = new ProtocolReader();
  const queue: ProtocolMessage[] = [];
  let closed: { code: number; reason: string } | undefined;
  let wake: (() => void) | undefined;
  ws.on('message', (data: Buffer) => {
    try {
      queue.push(...reader.acceptChunk(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)).filter((m) => m.type === MessageType.Control));
    } catch {
      closed ??= { code: 1006, reason: 'the server sent bytes that are not VS Code protocol frames' };
    }
    wake?.();
  });
  ws.on('close', (code: number, reason: Buffer) => {
    closed ??= { code, reason: reason.toString('utf8') };
    wake?.();
  });
  return {
    async next(timeoutMs) {
      const deadline = performance.now() + timeoutMs;
      while (queue.length === 0 && !closed && performance.now() < deadline) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, deadline - performance.now());
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      wake = undefined;
      const message = queue.shift();
      if (message) return message;
      return closed ? { closed } : undefined;
    },
  };
}

export async function vscodeHandshake(ws: WebSocket, commit: string | undefined, timeoutMs: number, wire: WireLine[]): Promise<HandshakeOutcome> {
  const incoming = controlMessages(ws);
  const send = (value: Record<string, unknown>) => {
    const message = controlMessage(value);
    ws.send(encodeMessage(message));
    wire.push(line('>', message, value));
  };
  const receive = async (waitedFor: string): Promise<{ value: Record<string, unknown> } | { outcome: HandshakeOutcome }> => {
    const got = await incoming.next(timeoutMs);
    if (!got) return { outcome: { kind: 'timeout', waitedFor } };
    if ('closed' in got) return { outcome: { kind: 'closed', ...got.closed, waitedFor } };
    const value = parseControl(got.data);
    wire.push(line('<', got, value ?? '(not JSON)'));
    if (isObject(value) && value.type === 'error') return { outcome: { kind: 'rejected', reason: String(value.reason) } };
    if (!isObject(value)) return { outcome: { kind: 'unexpected', detail: `a control message that is not JSON while waiting for ${waitedFor}` } };
    return { value };
  };

  send({ type: 'auth', auth: NO_CONNECTION_TOKEN, data: randomUuid() });
  const signed = await receive('sign');
  if ('outcome' in signed) return signed.outcome;
  const sign = signed.value;
  if (sign.type !== 'sign' || typeof sign.data !== 'string') return { kind: 'unexpected', detail: `expected {"type":"sign"}, got ${JSON.stringify(sign)}` };
  if (!commit) return { kind: 'ok', detail: 'auth → sign (no commit known from the workbench page: connectionType not sent)' };
  // Open-source servers do not check signedData; VS Code would sign sign.data with vsda here.
  send({ type: 'connectionType', commit, signedData: sign.data, desiredConnectionType: ConnectionType.Management });
  const answered = await receive('ok');
  if ('outcome' in answered) return answered.outcome;
  if (answered.value.type !== 'ok') return { kind: 'unexpected', detail: `expected {"type":"ok"}, got ${JSON.stringify(answered.value)}` };
  ws.send(encodeMessage(protocolMessage(MessageType.Disconnect)));
  wire.push({ dir: '>', hex: '05 00000000 00000000 00000000', text: 'Disconnect (ends the session at once)' });
  return { kind: 'ok', detail: 'auth → sign → connectionType (management) → ok' };
}
