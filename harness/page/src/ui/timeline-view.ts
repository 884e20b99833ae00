import { closeCodeName } from '../close-codes.ts';
import type { SocketEntry } from '../timeline.ts';
import { clock, el } from './dom.ts';

function rowClass(entry: SocketEntry): string {
  if (entry.code === undefined) return 'open';
  if (entry.code === 1006) return 'abnormal';
  return entry.code === 1000 ? 'clean' : 'coded';
}

export function renderTimeline(body: HTMLElement, entries: readonly SocketEntry[]): void {
  const origin = entries[0]?.createdAt ?? 0;
  body.replaceChildren(
    ...entries.map((e) => {
      const path = new URL(e.url).pathname;
      return el(
        'tr',
        { class: rowClass(e), 'data-code': String(e.code ?? '') },
        el('td', {}, String(e.id)),
        el('td', {}, e.label),
        el('td', { title: e.url }, path.length > 40 ? `…${path.slice(-39)}` : path),
        el('td', {}, e.openedAt ? clock(e.openedAt, origin) : e.closedAt ? 'never' : '…'),
        el('td', {}, clock(e.closedAt, origin)),
        el('td', { class: 'code', title: closeCodeName(e.code) }, e.code === undefined ? '' : `${e.code} ${closeCodeName(e.code)}`),
        el('td', { class: 'reason' }, e.reason ?? ''),
      );
    }),
  );
}
