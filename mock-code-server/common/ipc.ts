// The channel layer over the management connection (base/parts/ipc/common/ipc.ts). Each Regular
// message body is serialize(header) followed by serialize(body).
import { concatBytes } from './bytes.ts';
import { ProtocolError } from './errors.ts';
import { deserialize, SerialReader, serialize } from './serializer.ts';

export const RequestType = { Promise: 100, PromiseCancel: 101, EventListen: 102, EventDispose: 103 } as const;
export const ResponseType = {
  Initialize: 200,
  PromiseSuccess: 201,
  PromiseError: 202,
  PromiseErrorObj: 203,
  EventFire: 204,
} as const;

/** What the workbench sends first on the management connection (recorded: `05 3b {...}`). */
export interface ManagementContext { remoteAuthority: string; clientId: string }

export function encodeContext(context: ManagementContext): Uint8Array {
  return serialize(context);
}

export function encodeIpc(header: unknown[], body: unknown): Uint8Array {
  return concatBytes([serialize(header), serialize(body)]);
}

/** `04 01 06 C8 01 00`: header [200], body undefined. */
export function encodeInitialize(): Uint8Array {
  return encodeIpc([ResponseType.Initialize], undefined);
}

export function encodeRequest(id: number, channel: string, command: string, arg: unknown): Uint8Array {
  return encodeIpc([RequestType.Promise, id, channel, command], arg);
}

export function encodeSuccess(id: number, data: unknown): Uint8Array {
  return encodeIpc([ResponseType.PromiseSuccess, id], data);
}

/** An Error thrown by a channel crosses the wire as {message, name, stack: lines}. */
export function encodeError(id: number, error: { message: string; name: string; stack?: string[] }): Uint8Array {
  return encodeIpc([ResponseType.PromiseError, id], error);
}

export interface IpcMessage { header: unknown[]; body: unknown }

export function decodeIpc(bytes: Uint8Array): IpcMessage {
  const reader = new SerialReader(bytes);
  const header = deserialize(reader);
  if (!Array.isArray(header)) throw new ProtocolError('serialized.invalid', 'IPC header is not an array');
  const body = reader.done ? undefined : deserialize(reader);
  return { header: header as unknown[], body };
}

/** decodeIpc, or undefined for bytes that are not an IPC message: both ends drop those and read on. */
export function decodeIpcOrSkip(bytes: Uint8Array): IpcMessage | undefined {
  try {
    return decodeIpc(bytes);
  } catch {
    return undefined;
  }
}

/** The context is a bare serialized value, not a [header, body] pair. */
export function decodeContext(bytes: Uint8Array): unknown {
  return deserialize(new SerialReader(bytes));
}
