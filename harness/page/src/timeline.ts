// Every WebSocket the page opens, with when it opened and how it closed. The page hands
// `timeline.WebSocket` to the workbench client and the terminal instead of the global one.

import type { SocketRecord } from '../../browser/recorder.ts';

/** The recorder's shape (without its error flag), plus which part of the page opened the socket. */
export interface SocketEntry extends Omit<SocketRecord, 'errored'> {
  /** 'management', 'extensionHost', 'terminal'… */
  label: string;
}

/** `entry` is undefined when the timeline was cleared. */
export type TimelineListener = (entry: SocketEntry | undefined, all: readonly SocketEntry[]) => void;

/** Sockets kept: a page left open through a reconnection loop opens one every few seconds, for hours. */
export const TIMELINE_LIMIT = 200;

export class SocketTimeline {
  private entries: SocketEntry[] = [];
  private readonly listeners = new Set<TimelineListener>();
  private next = 0;
  /** Closed sockets dropped to stay within the limit, since the last clear(). */
  private droppedCount = 0;

  constructor(
    private readonly now: () => number = () => Date.now(),
    private readonly limit = TIMELINE_LIMIT,
  ) {}

  /** A WebSocket constructor that records into this timeline under `label`. */
  constructorFor(label: string, Native: typeof WebSocket = globalThis.WebSocket): typeof WebSocket {
    const track = (url: string): SocketEntry => this.track(label, url);
    const update = (entry: SocketEntry, change: Partial<SocketEntry>): void => this.update(entry, change);
    const now = this.now;
    return class RecordedWebSocket extends Native {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        const entry = track(String(url));
        this.addEventListener('open', () => update(entry, { openedAt: now() }));
        this.addEventListener('close', (event) => update(entry, { closedAt: now(), code: event.code, reason: event.reason, wasClean: event.wasClean }));
      }
    };
  }

  track(label: string, url: string): SocketEntry {
    const entry: SocketEntry = { id: ++this.next, label, url, createdAt: this.now() };
    this.entries.push(entry);
    // The oldest closed sockets go first; a socket still open is never dropped.
    while (this.entries.length > this.limit) {
      const oldestClosed = this.entries.findIndex((e) => e.closedAt !== undefined);
      if (oldestClosed < 0) break;
      this.entries.splice(oldestClosed, 1);
      this.droppedCount++;
    }
    this.notify(entry);
    return entry;
  }

  update(entry: SocketEntry, change: Partial<SocketEntry>): void {
    Object.assign(entry, change);
    this.notify(entry);
  }

  all(): readonly SocketEntry[] {
    return this.entries;
  }

  /** The first close that happened, in time order (what a scenario's expectation is about). */
  firstClose(): SocketEntry | undefined {
    return this.entries.filter((e) => e.closedAt !== undefined).sort((a, b) => (a.closedAt ?? 0) - (b.closedAt ?? 0))[0];
  }

  /** How many closed sockets were dropped to stay within the limit. */
  dropped(): number {
    return this.droppedCount;
  }

  /** Forgets every closed socket; the ones still open stay, and keep updating. */
  clear(): void {
    this.entries = this.entries.filter((e) => e.closedAt === undefined);
    this.droppedCount = 0;
    this.notify(undefined);
  }

  onChange(fn: TimelineListener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private notify(entry: SocketEntry | undefined): void {
    for (const fn of this.listeners) fn(entry, this.entries);
  }
}
