// A stand-in for the extension host process: after a start-up delay it sends Resume and the
// ready message (recorded: Regular `02`), then echoes every Regular message back unchanged, so a
// client can round-trip messages of any size (the real host's first message is ~1 MiB).
import type { Clock, TimerHandle } from '../common/clock.ts';
import type { PersistentSession } from '../common/persistent-session.ts';

export const EXTENSION_HOST_READY = new Uint8Array([0x02]);

export class ExtensionHostEcho {
  private ready = false;
  private early: Uint8Array[] = [];
  private readonly readyTimer: TimerHandle;

  constructor(
    private readonly session: PersistentSession,
    private readonly clock: Clock,
    readyDelayMs: number,
  ) {
    this.readyTimer = clock.setTimeout(() => this.becomeReady(), readyDelayMs);
  }

  dispose(): void {
    this.clock.clearTimeout(this.readyTimer);
    this.early = [];
  }

  acceptMessage(data: Uint8Array): void {
    if (this.ready) this.session.send(data);
    else this.early.push(data);
  }

  private becomeReady(): void {
    this.ready = true;
    this.session.sendResume();
    this.session.send(EXTENSION_HOST_READY);
    for (const data of this.early.splice(0)) this.session.send(data);
  }
}
