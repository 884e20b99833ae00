// Errors carry a stable `code` so tests and callers branch on it, never on the message text.
export type ProtocolErrorCode =
  | 'FRAME_TOO_LARGE'
  | 'BAD_SERIALIZED_DATA'
  | 'HANDSHAKE_REJECTED'
  | 'HANDSHAKE_UNEXPECTED'
  | 'HANDSHAKE_TIMEOUT'
  | 'SOCKET_CLOSED'
  | 'SOCKET_TIMEOUT'
  | 'CALL_FAILED'
  | 'CONNECTION_DISPOSED'
  | 'RECONNECT_FAILED';

export class ProtocolError extends Error {
  readonly code: ProtocolErrorCode;
  constructor(code: ProtocolErrorCode, message: string) {
    super(message);
    this.name = 'ProtocolError';
    this.code = code;
  }
}
