// Handshake messages (remoteAgentConnection.ts): Control frames holding UTF-8 JSON, client first.
import { fromUtf8, utf8 } from './bytes.ts';
import { MessageType, protocolMessage, type ProtocolMessage } from './framing.ts';

export const ConnectionType = { Management: 1, ExtensionHost: 2, Tunnel: 3 } as const;
export type ConnectionTypeCode = (typeof ConnectionType)[keyof typeof ConnectionType];

/** The connection token code-server sends when it runs without one. */
export const NO_CONNECTION_TOKEN = '00000000000000000000';

/** Every reason the server puts in `{"type":"error"}` (remoteExtensionHostAgentServer.ts). */
export const HandshakeErrorReason = {
  MalformedFirst: 'Malformed first message',
  InvalidFirst: 'Invalid first message',
  AuthMismatch: 'Unauthorized client refused: auth mismatch',
  MalformedSecond: 'Malformed second message',
  InvalidSecond: 'Invalid second message',
  VersionMismatch: 'Client refused: version mismatch',
  Unauthorized: 'Unauthorized client refused',
  UnknownTokenNeverSeen: 'Unknown reconnection token (never seen)',
  UnknownTokenSeenBefore: 'Unknown reconnection token (seen before)',
  DuplicateToken: 'Duplicate reconnection token',
} as const;
export const FIRST_MESSAGE_REASONS: readonly string[] = [
  HandshakeErrorReason.MalformedFirst,
  HandshakeErrorReason.InvalidFirst,
  HandshakeErrorReason.AuthMismatch,
];

export function controlMessage(value: unknown): ProtocolMessage {
  return protocolMessage(MessageType.Control, 0, 0, utf8(JSON.stringify(value)));
}

/** Parses a Control payload; undefined when it is not JSON (the server's "Malformed …" case). */
export function parseControl(data: Uint8Array): unknown {
  try {
    return JSON.parse(fromUtf8(data)) as unknown;
  } catch {
    return undefined;
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
