// The client's events in the page's words: no kind shown as a bare word.
import { describe, expect, it } from 'vitest';
import type { TimelineEvent } from '../../../mock-code-server/common/index.ts';
import { connectionState, describeEvent } from './event-words.ts';

const at = (event: Omit<TimelineEvent, 't' | 'connection'>): TimelineEvent => ({ t: 1234.4, connection: 'management', ...event });

describe('the timeline in words', () => {
  it.each([
    [at({ kind: 'attempt', attempt: 2, reason: 'initial' }), '+1234ms management attempt 2 of 5 to connect', 'connecting (attempt 2 of 5 to connect)'],
    [at({ kind: 'attempt', attempt: 3, reason: 'reconnection' }), '+1234ms management reconnection attempt 3', 'reconnecting (reconnection attempt 3)'],
    [at({ kind: 'reconnect', attempt: 3, reason: 'in 500 ms' }), '+1234ms management waits 500 ms before reconnection attempt 3', 'waiting 500 ms before reconnection attempt 3'],
    [at({ kind: 'open' }), '+1234ms management socket open, handshake under way', 'socket open, handshake under way'],
    [at({ kind: 'handshake', reason: 'reconnected, replayed 2', lost: 0 }), '+1234ms management handshake reconnected, replayed 2 lost=0', 'reconnected, replayed 2'],
    [at({ kind: 'close', code: 1014, reason: 'socks.reply_general_failure (REP 0x01) (9 attempts in 702 ms)' }), '+1234ms management close 1014 socks.reply_general_failure (REP 0x01) (9 attempts in 702 ms)', 'closed 1014 socks.reply_general_failure (REP 0x01) (9 attempts in 702 ms)'],
    [at({ kind: 'error', attempt: 3, reason: 'Time limit reached' }), '+1234ms management error Time limit reached', 'Time limit reached'],
  ])('%#: %j', (event, line, pill) => {
    expect(describeEvent(event)).toBe(line);
    expect(connectionState(event).text).toBe(pill);
  });

  it('has words for every kind the client emits', () => {
    const kinds: TimelineEvent['kind'][] = ['attempt', 'open', 'handshake', 'close', 'reconnect', 'message', 'error'];
    for (const kind of kinds) expect(connectionState(at({ kind, attempt: 1, reason: 'initial' })).text).not.toBe(kind);
  });
});
