// The causes the hops name (a fault of the hop in front acting: the stack's 'cause' log lines),
// matched to the sockets they explain, so the WebSockets table shows why a socket ended in the
// words of the symptom — the browser's own close event carries none for a 1006.
import type { SocketEntry } from './timeline.ts';

export interface NamedCause {
  t: number;
  text: string;
}

/** Causes kept: one per failing socket at most, and a reconnection loop fails a few per second. */
export const NAMED_CAUSES_KEPT = 50;

/** How long after a socket's close a cause naming it may arrive (the hop logs after it acted). */
const LATE_MS = 250;

/** The last cause named while the socket lived (or just after its close); none for a socket that is open or closed cleanly. */
export function causeFor(entry: Pick<SocketEntry, 'createdAt' | 'closedAt' | 'code'>, causes: readonly NamedCause[]): string | undefined {
  if (entry.closedAt === undefined || entry.code === 1000) return undefined;
  const until = entry.closedAt + LATE_MS;
  return causes.filter((c) => c.t >= entry.createdAt && c.t <= until).at(-1)?.text;
}

export function remember(causes: NamedCause[], cause: NamedCause): void {
  causes.push(cause);
  if (causes.length > NAMED_CAUSES_KEPT) causes.splice(0, causes.length - NAMED_CAUSES_KEPT);
}
