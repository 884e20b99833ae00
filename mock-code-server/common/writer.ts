// The socket writer of one WebSocket: encodes messages, packs everything written in the same
// turn into one WebSocket message (as VS Code does — the recording shows two protocol messages in
// one frame), splits output above maxFrameBytes, and obeys the peer's Pause/Resume.
import { concatBytes } from './bytes.ts';
import { encodeMessage, type ProtocolMessage } from './framing.ts';

export type FrameSink = (bytes: Uint8Array) => void;

export interface FrameWriterOptions {
  /** Largest WebSocket message sent; code-server splits its output above 256 KiB. Default: no split. */
  maxFrameBytes?: number;
  /** Called for every message written (server faults count Regular messages). */
  observe?: (message: ProtocolMessage) => void;
}

export class FrameWriter {
  private queue: Uint8Array[] = [];
  private flushScheduled = false;
  private paused = false;
  private disposed = false;
  private readonly maxFrameBytes: number;
  private readonly observe: ((message: ProtocolMessage) => void) | undefined;

  constructor(
    private readonly sink: FrameSink,
    options: FrameWriterOptions = {},
  ) {
    this.maxFrameBytes = options.maxFrameBytes ?? Number.POSITIVE_INFINITY;
    this.observe = options.observe;
  }

  write(message: ProtocolMessage): void {
    if (this.disposed) return;
    this.queue.push(encodeMessage(message));
    this.scheduleFlush();
    this.observe?.(message);
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.scheduleFlush();
  }

  /** Stops writing to this socket; queued bytes are dropped (the session replays what matters). */
  dispose(): void {
    this.disposed = true;
    this.queue = [];
  }

  flush(): void {
    this.flushScheduled = false;
    if (this.paused || this.disposed || this.queue.length === 0) return;
    const bytes = concatBytes(this.queue);
    this.queue = [];
    for (let offset = 0; offset < bytes.byteLength; offset += this.maxFrameBytes) {
      this.sink(bytes.subarray(offset, Math.min(bytes.byteLength, offset + this.maxFrameBytes)));
    }
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.paused) return;
    this.flushScheduled = true;
    queueMicrotask(() => this.flush());
  }
}
