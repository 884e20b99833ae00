// The workbench side of the extension host connection: the host's first Regular says it is ready
// (recorded: `02`); every later message goes to the listeners. Sends before the server's Resume
// wait in the paused writer, as in VS Code.
import type { ProtocolError } from './errors.ts';

export type MessageListener = (data: Uint8Array) => void;

export class ExtensionHostClient {
  private readyReceived = false;
  private readonly listeners = new Set<MessageListener>();
  private readyWaiters: { resolve(): void; reject(error: Error): void }[] = [];
  private failure: ProtocolError | undefined;

  constructor(
    private readonly sendData: (data: Uint8Array) => void,
    private readonly onReady: () => void,
  ) {}

  get isReady(): boolean {
    return this.readyReceived;
  }

  ready(): Promise<void> {
    if (this.readyReceived) return Promise.resolve();
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
  }

  send(data: Uint8Array): void {
    if (this.failure) throw this.failure;
    this.sendData(data);
  }

  /** Returns a function that removes the listener. */
  onMessage(listener: MessageListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  acceptMessage(data: Uint8Array): void {
    if (!this.readyReceived) {
      this.readyReceived = true;
      this.onReady();
      for (const waiter of this.readyWaiters.splice(0)) waiter.resolve();
      return;
    }
    for (const listener of this.listeners) listener(data);
  }

  fail(error: ProtocolError): void {
    this.failure = error;
    for (const waiter of this.readyWaiters.splice(0)) waiter.reject(error);
  }
}
