// The workbench side of the management connection's IPC: the context first, our own Initialize,
// then calls once the server's Initialize arrived (ChannelClient waits for it the same way).
import { ProtocolError } from './errors.ts';
import { decodeIpcOrSkip, encodeContext, encodeInitialize, encodeRequest, ResponseType, type ManagementContext } from './ipc.ts';

interface PendingCall {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

export class ManagementClient {
  private nextId = 0;
  private readonly pending = new Map<number, PendingCall>();
  private initialized = false;
  private readonly waitingForInitialize: (() => void)[] = [];
  private failure: ProtocolError | undefined;

  constructor(
    private readonly send: (data: Uint8Array) => void,
    private readonly onInitialize: () => void,
  ) {}

  /** Called once the first socket is up: the context and Initialize, as the recording shows. */
  start(context: ManagementContext): void {
    this.send(encodeContext(context));
    this.send(encodeInitialize());
  }

  /** `[100, id, channel, command]` + argument; resolves with the `[201, id]` body. */
  async call(channel: string, command: string, arg?: unknown): Promise<unknown> {
    if (this.failure) throw this.failure;
    if (!this.initialized) await new Promise<void>((resolve) => this.waitingForInitialize.push(resolve));
    if (this.failure) throw this.failure;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.send(encodeRequest(id, channel, command, arg));
    });
  }

  acceptMessage(data: Uint8Array): void {
    const message = decodeIpcOrSkip(data);
    if (!message) return;
    const { header, body } = message;
    const [type, id] = header;
    if (type === ResponseType.Initialize) {
      this.initialized = true;
      this.onInitialize();
      for (const resume of this.waitingForInitialize.splice(0)) resume();
      return;
    }
    if (typeof id !== 'number') return;
    const call = this.pending.get(id);
    if (!call) return;
    this.pending.delete(id);
    if (type === ResponseType.PromiseSuccess) call.resolve(body);
    else if (type === ResponseType.PromiseError || type === ResponseType.PromiseErrorObj) {
      const message = typeof body === 'object' && body !== null && 'message' in body ? String(body.message) : JSON.stringify(body);
      call.reject(Object.assign(new ProtocolError('call.failed', message), { body }));
    }
  }

  fail(error: ProtocolError): void {
    this.failure = error;
    for (const call of this.pending.values()) call.reject(error);
    this.pending.clear();
    for (const resume of this.waitingForInitialize.splice(0)) resume();
  }
}
