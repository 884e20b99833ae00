// @vitest-environment happy-dom
// The socket table as a person reads it: which connection a socket was, whether it reattached a
// session, and how it ended — or that it is still open.
import { describe, expect, it } from 'vitest';
import type { SocketEntry } from '../timeline.ts';
import { renderTimeline } from './timeline-view.ts';

const commit = '409c64e0df4d53530e59c16acc2b5d5766f717b0';
const socket = (id: number, token: string, reconnection: boolean, rest: Partial<SocketEntry>): SocketEntry => ({
  id,
  label: 'workbench',
  url: `ws://harness.test/dev/code/stable-${commit}?reconnectionToken=${token}&reconnection=${reconnection}&skipWebSocketFrames=false`,
  createdAt: 1000 + id,
  ...rest,
});

function cells(body: HTMLElement): string[][] {
  return [...body.querySelectorAll('tr')].map((row) => [...row.querySelectorAll('td')].map((td) => td.textContent ?? ''));
}

describe('renderTimeline', () => {
  it('names sockets by connection, tags reattachments, shows the close or that it is open', () => {
    const body = document.createElement('tbody');
    const names: Record<string, string> = { a: 'management' };
    renderTimeline(
      body,
      [
        socket(1, 'a', false, { openedAt: 1010, closedAt: 1500, code: 1014, reason: 'socks.reply_general_failure (REP 0x01)' }),
        socket(2, 'a', true, { openedAt: 1600 }),
        socket(3, 'b', false, {}),
      ],
      (url) => names[url.searchParams.get('reconnectionToken') ?? ''],
    );
    expect(cells(body)).toEqual([
      ['1', 'management', '/dev/code/stable-409c64e0…', '+9 ms', '+499 ms', '1014 bad gateway', 'socks.reply_general_failure (REP 0x01)'],
      ['2', 'management', '/dev/code/stable-409c64e0…reconnection', '+599 ms', '', 'open', ''],
      ['3', 'workbench', '/dev/code/stable-409c64e0…', '…', '', 'connecting…', ''],
    ]);
    expect(body.querySelector('tr')?.getAttribute('data-code')).toBe('1014');
    expect(body.querySelector('tr td.code')?.getAttribute('title')).toBe('1014 bad gateway (upstream unreachable)');
  });
});
