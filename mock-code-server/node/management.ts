// The server side of the management connection's channels (base/parts/ipc/common/ipc.ts
// ChannelServer): the first Regular is the client's context, then the server says Initialize and
// answers `[100, id, channel, command]` requests with `[201, id]` or `[202, id]`.
import { decodeContext, decodeIpcOrSkip, encodeError, encodeInitialize, encodeSuccess, RequestType } from '../common/ipc.ts';

export type ChannelHandler = (command: string, arg: unknown) => unknown;

export class ChannelError extends Error {
  override readonly name: string;
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** A channel tests drive: `echo` returns its argument, `fail` rejects with it as the message. */
export const ECHO_CHANNEL = 'mock-echo';

export function echoChannel(command: string, arg: unknown): unknown {
  if (command === 'echo') return arg;
  if (command === 'fail') throw new ChannelError('Error', typeof arg === 'string' ? arg : JSON.stringify(arg));
  throw new ChannelError('Error', `Unknown command: ${command}`);
}

export class ManagementChannels {
  private contextReceived = false;

  constructor(
    private readonly send: (data: Uint8Array) => void,
    private readonly channels: ReadonlyMap<string, ChannelHandler>,
  ) {}

  acceptMessage(data: Uint8Array): void {
    if (!this.contextReceived) {
      this.contextReceived = true;
      try {
        decodeContext(data);
      } catch {
        // A context that does not decode is ignored, as VS Code only logs it.
      }
      this.send(encodeInitialize());
      return;
    }
    const message = decodeIpcOrSkip(data);
    if (!message) return;
    const { header, body } = message;
    const [type, id, channel, command] = header;
    // The client's own Initialize (200), cancels and event listens need no answer from this mock.
    if (type !== RequestType.Promise || typeof id !== 'number') return;
    this.call(id, String(channel), String(command), body);
  }

  private call(id: number, channelName: string, command: string, arg: unknown): void {
    const channel = this.channels.get(channelName);
    try {
      if (!channel) throw new ChannelError('Unknown channel', `Unknown channel: ${channelName}`);
      this.send(encodeSuccess(id, channel(command, arg)));
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      this.send(encodeError(id, { message: failure.message, name: failure.name, stack: failure.stack?.split('\n') }));
    }
  }
}
