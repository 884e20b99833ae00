// What the stack keeps of a run since the last apply: its combined log (streamed to whoever
// follows it live) and what the hops saw that the browser cannot — mock-socks's record of each
// conversation that ended, and how the proxy answered each upgrade.
import type { ConnectionRecord } from '../mock-socks/index.ts';
import type { UpgradeAnswer } from './server/front-door.ts';
import type { LogLine } from './stack-info.ts';

/** Bounded: a long `start` session keeps only the latest. */
const kept = 1000;

export class StackLog {
  private lines: LogLine[] = [];
  private readonly followers = new Set<(line: LogLine) => void>();
  private socks: ConnectionRecord[] = [];
  private upgrades: UpgradeAnswer[] = [];

  emit(source: LogLine['source'], line: string): void {
    const entry = { t: Date.now(), source, line };
    this.lines.push(entry);
    for (const fn of this.followers) fn(entry);
  }

  /** Calls `fn` with every line from now on; returns the call that stops it. */
  follow(fn: (line: LogLine) => void): () => void {
    this.followers.add(fn);
    return () => this.followers.delete(fn);
  }

  since(): LogLine[] {
    return [...this.lines];
  }

  conversationEnded(record: ConnectionRecord): void {
    keep(this.socks, record);
  }

  upgradeAnswered(answer: UpgradeAnswer): void {
    keep(this.upgrades, answer);
    this.emit('front', `upgrade ${answer.path} → ${answer.line}`);
  }

  seen(): { socks: ConnectionRecord[]; upgrades: UpgradeAnswer[] } {
    return { socks: [...this.socks], upgrades: [...this.upgrades] };
  }

  /** A new apply: the lines and records start again; followers stay. */
  restart(): void {
    this.lines = [];
    this.socks = [];
    this.upgrades = [];
  }

  close(): void {
    this.followers.clear();
  }
}

function keep<T>(list: T[], item: T): void {
  if (list.push(item) > kept) list.shift();
}
