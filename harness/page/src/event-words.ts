// The client's timeline in words, for the page's workbench log, its status pills and the probe's
// report: each kind of event says what the workbench is doing, with its attempt number.
import type { TimelineEvent } from '../../../mock-code-server/common/index.ts';

/** How many first attempts the workbench makes before it gives up (VS Code's createInitialConnection). */
const FIRST_CONNECTION_ATTEMPTS = 5;

export type Tone = '' | 'ok' | 'bad' | 'warn';

function attemptWords(e: TimelineEvent): string {
  return e.reason === 'initial' ? `attempt ${e.attempt ?? '?'} of ${FIRST_CONNECTION_ATTEMPTS} to connect` : `reconnection attempt ${e.attempt ?? '?'}`;
}

/** One log line: `+1234ms management reconnection attempt 3`, `+1200ms management waits 500 ms before reconnection attempt 3`. */
export function describeEvent(e: TimelineEvent): string {
  const head = `+${Math.round(e.t)}ms ${e.connection}`;
  switch (e.kind) {
    case 'attempt':
      return `${head} ${attemptWords(e)}`;
    case 'reconnect':
      return `${head} waits ${(e.reason ?? '').replace(/^in /, '')} before reconnection attempt ${e.attempt ?? '?'}`;
    case 'open':
      return `${head} socket open, handshake under way`;
    default: {
      const parts = [head, e.kind];
      if (e.code !== undefined) parts.push(String(e.code));
      if (e.reason) parts.push(e.reason);
      if (e.lost !== undefined) parts.push(`lost=${e.lost}`);
      return parts.join(' ');
    }
  }
}

/** A connection's state after `event`, as its status pill shows it. */
export function connectionState(event: TimelineEvent): { text: string; tone: Tone } {
  switch (event.kind) {
    case 'attempt':
      return { text: event.reason === 'initial' ? `connecting (${attemptWords(event)})` : `reconnecting (${attemptWords(event)})`, tone: 'warn' };
    case 'open':
      return { text: 'socket open, handshake under way', tone: 'warn' };
    case 'handshake':
      return { text: event.reason === 'ok' ? 'connected' : event.reason ?? 'connected', tone: 'ok' };
    case 'close':
      return { text: `closed ${event.code ?? ''} ${event.reason ?? ''}`.trim(), tone: event.code === 1006 ? 'bad' : 'warn' };
    case 'reconnect':
      return { text: `waiting ${(event.reason ?? '').replace(/^in /, '')} before reconnection attempt ${event.attempt ?? '?'}`, tone: 'warn' };
    case 'error':
      return { text: event.reason ?? 'error', tone: 'bad' };
    case 'message':
      return { text: event.reason ?? 'message', tone: '' };
  }
}
