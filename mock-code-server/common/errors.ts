// Errors carry a stable `code` so tests and callers branch on it, never on the message text.
export type ProtocolErrorCode =
  | 'frame.too_large'
  | 'serialized.invalid'
  | 'handshake.rejected'
  | 'handshake.unexpected'
  | 'handshake.timeout'
  | 'socket.closed'
  | 'call.failed'
  | 'connection.disposed'
  | 'reconnect.failed';

export class ProtocolError extends Error {
  readonly code: ProtocolErrorCode;
  constructor(code: ProtocolErrorCode, message: string) {
    super(message);
    this.name = 'ProtocolError';
    this.code = code;
  }
}
