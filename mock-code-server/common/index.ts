// The isomorphic public surface (browser page and Node alike): the workbench client and the codec.
export { connectWorkbench, commitFromWorkbenchPage, workbenchSocketUrl } from './workbench.ts';
export type { Workbench, WorkbenchOptions } from './workbench.ts';
export type { ManagementClient } from './management-client.ts';
export type { ExtensionHostClient } from './extension-host-client.ts';
export type { TimelineEvent, TimelineListener, ConnectionName } from './timeline.ts';
export type { WebSocketConstructor } from './websocket.ts';
export type { Clock } from './clock.ts';
export { ProtocolError, type ProtocolErrorCode } from './errors.ts';
export { encodeMessage, MessageType, ProtocolReader, protocolMessage, HEADER_LENGTH, type ProtocolMessage } from './framing.ts';
export { ConnectionType, HandshakeErrorReason, controlMessage, parseControl, isObject } from './handshake.ts';
