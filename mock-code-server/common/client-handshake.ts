// The client half of the handshake (remoteAgentConnection.ts connectToRemoteExtensionHostAgent and
// connectToRemoteExtensionHostAgentAndReadOneMessage) over a socket that is already open and
// whose bytes already go to the session: auth → sign → connectionType → the answer.
//
// What it reacts to is only what VS Code reacts to: control messages and deadlines. A close of
// the socket in this phase changes nothing here — the wait ends at its deadline.
import type { AttemptScope, WaitStart } from './attempt.ts';
import { randomUuid } from './bytes.ts';
import { ProtocolError } from './errors.ts';
import { controlMessage, isObject, parseControl, type ConnectionTypeCode } from './handshake.ts';
import type { PersistentSession } from './persistent-session.ts';

export interface ClientHandshake {
  session: PersistentSession;
  scope: AttemptScope;
  commit: string;
  connectionToken: string;
  desiredConnectionType: ConnectionTypeCode;
  args?: unknown;
  /** readOneControlMessage's own limit for `sign` (10 s), on top of the attempt's deadline. */
  signTimeoutMs: number;
  /** Runs as the accepting answer is read, before any message behind it (endAcceptReconnection). */
  onAccepted?(): void;
}

/** getErrorFromMessage: `{"type":"error"}` becomes `Connection error: <reason>`, code VSCODE_CONNECTION_ERROR. */
export function handshakeRejected(reason: string): ProtocolError {
  return Object.assign(new ProtocolError('handshake.rejected', `Connection error: ${reason}`), { reason });
}

/**
 * The next control message that parses. One that does not parse is dropped and the wait goes on:
 * in VS Code JSON.parse throws inside the listener, and the emitter swallows the exception.
 */
function nextControl(session: PersistentSession, onAccepted?: () => void): WaitStart<Record<string, unknown>> {
  return (resolve, reject) =>
    session.onControlMessage((data) => {
      const message = parseControl(data);
      if (message === undefined) return;
      if (isObject(message) && message.type === 'error') return reject(handshakeRejected(String(message.reason)));
      onAccepted?.();
      resolve(isObject(message) ? message : {});
    });
}

export async function runClientHandshake(request: ClientHandshake): Promise<void> {
  const { session, scope } = request;
  session.sendControl(controlMessage({ type: 'auth', auth: request.connectionToken, data: randomUuid() }));
  const sign = await scope.wait(nextControl(session), request.signTimeoutMs);
  if (sign.type !== 'sign' || typeof sign.data !== 'string') {
    throw new ProtocolError('handshake.unexpected', 'Unexpected handshake message');
  }
  const connectionType: Record<string, unknown> = {
    type: 'connectionType',
    commit: request.commit,
    // Open-source servers do not check this; VS Code would sign sign.data with vsda here.
    signedData: sign.data,
    desiredConnectionType: request.desiredConnectionType,
  };
  if (request.args !== undefined) connectionType.args = request.args;
  session.sendControl(controlMessage(connectionType));
  // Any answer but an error is accepted: `{"type":"ok"}` (management), `{}` or `{debugPort}` (extension host).
  await scope.wait(nextControl(session, request.onAccepted));
}
