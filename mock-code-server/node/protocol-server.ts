// The server half of the handshake (remoteExtensionHostAgentServer.ts) and the registry of
// connections by reconnectionToken. Before the handshake completes only Control frames matter.
import { randomUuid } from '../common/bytes.ts';
import { ProtocolConstants, type Clock, type ProtocolTimings } from '../common/clock.ts';
import { MessageType, protocolMessage } from '../common/framing.ts';
import {
  ConnectionType,
  controlMessage,
  FIRST_MESSAGE_REASONS,
  HandshakeErrorReason,
  isObject,
  parseControl,
} from '../common/handshake.ts';
import type { FrameWriter } from '../common/writer.ts';
import { environmentChannel } from './environment.ts';
import { ExtensionHostEcho } from './extension-host.ts';
import { ECHO_CHANNEL, echoChannel, ManagementChannels, type ChannelHandler } from './management.ts';
import type { ProtocolSocket } from './protocol-socket.ts';
import { openTunnel } from './tunnel.ts';
import { ServerConnection, type ConnectionKind, type ConnectionSettings } from './server-connection.ts';

export interface ProtocolServerOptions {
  commit: string;
  /** When set, the handshake's `auth` must equal it; code-server runs without one. */
  connectionToken?: string;
  timeScale: number;
  clock: Clock;
  timings: ProtocolTimings;
  home: string;
}

export interface UpgradeQuery {
  reconnectionToken: string | undefined;
  reconnection: boolean;
}

/** The reason VS Code gives for a connection type it does not know. */
export const UNKNOWN_CONNECTION_TYPE = 'Unknown initial data received';

export class ProtocolServer {
  private readonly connections: Record<ConnectionKind, Map<string, ServerConnection>> = {
    management: new Map(),
    extensionHost: new Map(),
  };
  private readonly allTokens = new Set<string>();
  private readonly liveSockets = new Set<ProtocolSocket>();
  private readonly channels: Map<string, ChannelHandler>;
  private readonly settings: ConnectionSettings;

  constructor(private readonly options: ProtocolServerOptions) {
    this.channels = new Map([
      ['remoteextensionsenvironment', environmentChannel(options.home)],
      [ECHO_CHANNEL, echoChannel],
    ]);
    this.settings = {
      clock: options.clock,
      timings: options.timings,
      graceMs: ProtocolConstants.ReconnectionGraceTimeMs * options.timeScale,
      shortGraceMs: ProtocolConstants.ReconnectionShortGraceTimeMs * options.timeScale,
    };
  }

  /** Ends every protocol socket at the TCP level, as a crashing network would; sessions stay for reconnection. */
  dropSockets(): number {
    const count = this.liveSockets.size;
    for (const socket of this.liveSockets) socket.end();
    return count;
  }

  /**
   * code-server restarted: a new RemoteExtensionHostAgentServer has no connection and no token in
   * _allReconnectionTokens, so an old token is "Unknown reconnection token (never seen)"; every
   * protocol socket of the old process ends at TCP level.
   */
  restart(): { sessions: number; sockets: number } {
    const sessions = Object.values(this.connections).reduce((n, map) => n + map.size, 0);
    this.dispose();
    this.allTokens.clear();
    return { sessions, sockets: this.dropSockets() };
  }

  accept(socket: ProtocolSocket, query: UpgradeQuery): void {
    this.liveSockets.add(socket);
    socket.onClose(() => this.liveSockets.delete(socket));
    const writer = socket.createWriter();
    const forced = socket.plan.handshakeError;
    let step: 'auth' | 'connectionType' = 'auth';
    socket.onMessage((message) => {
      if (message.type !== MessageType.Control) return;
      const value = parseControl(message.data);
      if (step === 'auth') {
        if (forced !== undefined && FIRST_MESSAGE_REASONS.includes(forced)) return socket.rejectHandshake(forced);
        if (value === undefined) return socket.rejectHandshake(HandshakeErrorReason.MalformedFirst);
        if (!isObject(value) || value.type !== 'auth') return socket.rejectHandshake(HandshakeErrorReason.InvalidFirst);
        if (this.options.connectionToken !== undefined && value.auth !== this.options.connectionToken) {
          return socket.rejectHandshake(HandshakeErrorReason.AuthMismatch);
        }
        step = 'connectionType';
        // Open-source builds have no vsda signer: signedData is not checked, so any value will do.
        writer.write(controlMessage({ type: 'sign', data: randomUuid(), signedData: randomUuid() }));
        return;
      }
      if (forced !== undefined) return socket.rejectHandshake(forced);
      if (value === undefined) return socket.rejectHandshake(HandshakeErrorReason.MalformedSecond);
      if (!isObject(value) || value.type !== 'connectionType') return socket.rejectHandshake(HandshakeErrorReason.InvalidSecond);
      if (typeof value.commit === 'string' && value.commit !== this.options.commit) {
        return socket.rejectHandshake(HandshakeErrorReason.VersionMismatch);
      }
      const token = socket.plan.dropToken || query.reconnectionToken === undefined ? randomUuid() : query.reconnectionToken;
      switch (value.desiredConnectionType) {
        case ConnectionType.Management:
          return this.openConnection('management', socket, writer, token, query.reconnection);
        case ConnectionType.ExtensionHost:
          return this.openConnection('extensionHost', socket, writer, token, query.reconnection);
        case ConnectionType.Tunnel: {
          const args = isObject(value.args) ? value.args : {};
          writer.write(controlMessage({ type: 'ok' }));
          writer.flush();
          socket.markHandshakeDone(`tunnel to ${String(args.host)}:${String(args.port)}`);
          return openTunnel(socket, String(args.host ?? ''), Number(args.port));
        }
        default:
          return socket.rejectHandshake(UNKNOWN_CONNECTION_TYPE);
      }
    });
  }

  dispose(): void {
    for (const map of Object.values(this.connections)) for (const connection of [...map.values()]) connection.dispose();
  }

  private openConnection(kind: ConnectionKind, socket: ProtocolSocket, writer: FrameWriter, token: string, reconnection: boolean): void {
    const map = this.connections[kind];
    const existing = map.get(token);
    if (reconnection && !existing) {
      return socket.rejectHandshake(
        this.allTokens.has(token) ? HandshakeErrorReason.UnknownTokenSeenBefore : HandshakeErrorReason.UnknownTokenNeverSeen,
      );
    }
    if (!reconnection && this.allTokens.has(token)) return socket.rejectHandshake(HandshakeErrorReason.DuplicateToken);

    if (kind === 'extensionHost') {
      // Recorded: Pause, then Control `{}` in one frame; Resume follows when the extension host is ready.
      writer.write(protocolMessage(MessageType.Pause));
      writer.write(controlMessage({}));
    } else {
      writer.write(controlMessage({ type: 'ok' }));
    }

    if (existing) {
      existing.attach(socket, writer, true);
      if (kind === 'extensionHost') existing.session.sendResume();
      return;
    }
    this.allTokens.add(token);
    // A new workbench (its management connection) means the old ones waiting may never come back.
    if (kind === 'management') {
      for (const other of Object.values(this.connections)) for (const connection of other.values()) connection.shortenGrace();
    }
    const connection = this.createConnection(kind, token);
    map.set(token, connection);
    connection.attach(socket, writer, false);
  }

  private createConnection(kind: ConnectionKind, token: string): ServerConnection {
    const onDispose = (gone: ServerConnection): void => {
      if (this.connections[kind].get(token) === gone) this.connections[kind].delete(token);
    };
    let accept: (data: Uint8Array) => void = () => undefined;
    const connection = new ServerConnection(kind, token, this.settings, (data) => accept(data), onDispose);
    if (kind === 'management') {
      const channels = new ManagementChannels((data) => connection.session.send(data), this.channels);
      accept = (data) => channels.acceptMessage(data);
    } else {
      const extensionHost = new ExtensionHostEcho(connection.session, this.settings.clock, ProtocolConstants.ExtensionHostReadyDelayMs * this.options.timeScale);
      accept = (data) => extensionHost.acceptMessage(data);
      connection.onDisposed(() => extensionHost.dispose());
    }
    return connection;
  }
}
