// Messages the probe pushes through the workbench while the path misbehaves: calls on management
// that every code-server answers (the workbench's own first call, getEnvironmentData), and — with
// mock-code-server, whose extension host echoes — numbered echoes on the extension host (a real
// extension host speaks its own RPC and is left alone). Each must come back exactly once, in order.
import type { Workbench } from '../../../mock-code-server/common/index.ts';

const tick = 5;

/** A call every code-server answers, as the workbench makes it (remoteAgentEnvironmentChannel.ts). */
export function environmentCall(workbench: Workbench): Promise<unknown> {
  return workbench.management.call('remoteextensionsenvironment', 'getEnvironmentData', { remoteAuthority: location.host });
}

export class EchoTraffic {
  private sent = 0;
  private readonly received: number[] = [];
  private callsSent = 0;
  private callsAnswered = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly workbench: Workbench,
    private readonly poke: () => void,
    /** The extension host echoes what it gets (mock-code-server's does; a real one does not). */
    private readonly hostEchoes = true,
  ) {
    this.unsubscribe =
      (hostEchoes ? workbench.extensionHost : undefined)?.onMessage((data) => {
        if (data.length === 8 && data[0] === 0xec) {
          this.received.push(new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(4));
          this.poke();
        }
      }) ?? (() => undefined);
  }

  start(): void {
    this.timer = setInterval(() => {
      if (this.hostEchoes && this.workbench.extensionHost) {
        const message = new Uint8Array(8);
        message[0] = 0xec;
        new DataView(message.buffer).setUint32(4, ++this.sent);
        this.workbench.extensionHost.send(message);
      }
      this.callsSent++;
      environmentCall(this.workbench).then(
        () => {
          this.callsAnswered++;
          this.poke();
        },
        () => undefined,
      );
    }, tick);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Extension-host echoes plus management calls sent. */
  get count(): number {
    return this.sent + this.callsSent;
  }

  /** Everything sent came back (echoes only where the extension host echoes). */
  complete(): boolean {
    return this.callsAnswered === this.callsSent && this.received.length >= this.sent;
  }

  /** Messages missing, duplicated or out of order. */
  lost(): number {
    this.unsubscribe();
    let wrong = this.callsSent - this.callsAnswered;
    for (let i = 0; i < Math.max(this.sent, this.received.length); i++) if (this.received[i] !== i + 1) wrong++;
    return wrong;
  }

  /** Sends each size in turn; the largest that came back byte for byte (sampled pattern). */
  static async largestIntact(workbench: Workbench, sizes: number[], deadlineMs: number): Promise<number> {
    const host = workbench.extensionHost;
    if (!host) return 0;
    const started = Date.now();
    let largest = 0;
    for (const size of sizes) {
      const message = new Uint8Array(size);
      for (let i = 0; i < size; i += 4093) message[i] = (i / 4093) & 0xff;
      message[0] = 0xb1;
      const back = await new Promise<Uint8Array | undefined>((resolve) => {
        const timer = setTimeout(() => done(undefined), Math.max(0, deadlineMs - (Date.now() - started)));
        const stop = host.onMessage((data) => {
          if (data.length === size && data[0] === 0xb1) done(data);
        });
        function done(value: Uint8Array | undefined): void {
          clearTimeout(timer);
          stop();
          resolve(value);
        }
        host.send(message);
      });
      if (!back) break;
      let intact = true;
      for (let i = 4093; i < size; i += 4093) if (back[i] !== ((i / 4093) & 0xff)) intact = false;
      if (!intact) break;
      largest = size;
    }
    return largest;
  }
}
