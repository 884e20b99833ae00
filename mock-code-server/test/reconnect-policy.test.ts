// The catch block of remoteAgentConnection.ts PersistentConnection._runReconnectingLoop, row by
// row, and the window-wide failure of PersistentConnection.triggerPermanentFailure.
import { describe, expect, it } from 'vitest';
import { ProtocolError, type ProtocolErrorCode } from '../common/errors.ts';
import { PermanentFailures, reconnectVerdict } from '../common/reconnect-policy.ts';

const error = (code: ProtocolErrorCode) => new ProtocolError(code, code);
const GRACE = 1_000;

describe('reconnectVerdict', () => {
  it.each([
    ['an `error` control message (VSCODE_CONNECTION_ERROR)', error('handshake.rejected'), 0, 'permanent'],
    ['"Unexpected handshake message" (VSCODE_CONNECTION_ERROR)', error('handshake.unexpected'), 0, 'permanent'],
    ['a refused upgrade (TemporarilyNotAvailable)', error('socket.closed'), 0, 'retry'],
    ['"Time limit reached" (ETIMEDOUT, syscall connect)', error('handshake.timeout'), 0, 'retry'],
    ['a refused upgrade once the grace time is spent', error('socket.closed'), GRACE, 'permanent'],
    ['a timeout once the grace time is spent', error('handshake.timeout'), GRACE + 1, 'permanent'],
    ['a cancellation (isCancellationError)', error('connection.disposed'), 0, 'retry'],
    ['an unknown error ("treated as a permanent error")', new Error('something else'), 0, 'permanent'],
    ['a non-Error value', 'boom', 0, 'permanent'],
  ] as const)('%s → %s', (_what, failure, since, verdict) => {
    expect(reconnectVerdict(failure, since, GRACE)).toBe(verdict);
  });
});

describe('PermanentFailures', () => {
  it('fails every registered connection, and any registered afterwards', () => {
    const failures = new PermanentFailures();
    const seen: string[] = [];
    failures.register({ failPermanently: (e) => seen.push(`a: ${e.message}`) });
    failures.trigger(error('reconnect.failed'));
    failures.register({ failPermanently: (e) => seen.push(`b: ${e.message}`) });
    expect(seen).toEqual(['a: reconnect.failed', 'b: reconnect.failed']);
  });
});
