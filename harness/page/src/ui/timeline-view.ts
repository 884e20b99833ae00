import { CloseCode, closeCodeName } from '../../../../common/close-codes.ts';
import type { SocketEntry } from '../timeline.ts';
import { clock, el } from './dom.ts';

function rowClass(entry: SocketEntry): string {
  if (entry.code === undefined) return 'open';
  if (entry.code === CloseCode.abnormal) return 'abnormal';
  return entry.code === CloseCode.normal ? 'clean' : 'coded';
}

/** The path with code-server's 40-hex commit cut to 8, and whether the client reattached a session. */
function pathCell(url: URL): HTMLElement {
  const path = url.pathname.replace(/([0-9a-f]{8})[0-9a-f]{32}/, '$1…');
  // VS Code's reconnection query (remoteAgentConnection.ts): the same token, reconnection=true.
  const again = url.searchParams.get('reconnection') === 'true';
  return el('td', { class: 'socket-path', title: url.href }, el('span', { class: 'path-text' }, path), again && el('span', { class: 'tag' }, 'reconnection'));
}

function causedBy(cause: string | undefined): HTMLElement | false {
  return cause !== undefined && el('div', { class: 'named-cause' }, cause);
}

function codeCell(entry: SocketEntry): HTMLElement {
  if (entry.code !== undefined) {
    // The code and its short name; the parenthesised gloss is in the tooltip, leaving room for the reason.
    const name = closeCodeName(entry.code);
    return el('td', { class: 'code', title: `${entry.code} ${name}` }, String(entry.code), el('span', { class: 'name' }, ` ${name.replace(/ \(.*\)$/, '')}`));
  }
  return el('td', { class: 'code' }, entry.openedAt ? 'open' : 'connecting…');
}

/**
 * `nameOf` tells which connection of its opener a socket is (the workbench's management, …);
 * `causeOf` the cause a hop named for a socket that ended badly, shown under its reason.
 */
export function renderTimeline(
  body: HTMLElement,
  entries: readonly SocketEntry[],
  nameOf: (url: URL) => string | undefined = () => undefined,
  causeOf: (entry: SocketEntry) => string | undefined = () => undefined,
): void {
  const origin = entries[0]?.createdAt ?? 0;
  body.replaceChildren(
    ...entries.map((e) => {
      const url = new URL(e.url);
      return el(
        'tr',
        { class: rowClass(e), 'data-code': String(e.code ?? '') },
        el('td', {}, String(e.id)),
        el('td', { title: e.label }, nameOf(url) ?? e.label),
        pathCell(url),
        el('td', {}, e.openedAt ? clock(e.openedAt, origin) : e.closedAt ? 'never' : '…'),
        el('td', {}, clock(e.closedAt, origin)),
        codeCell(e),
        el('td', { class: 'reason' }, e.reason ?? '', causedBy(causeOf(e))),
      );
    }),
  );
}
