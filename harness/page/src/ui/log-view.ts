import { summariseProxyLine } from '../../../proxy-line.ts';
import type { LogLine } from '../../../stack-info.ts';
import { el } from './dom.ts';

const keep = 500;

export function appendLog(box: HTMLElement, line: LogLine): void {
  const time = new Date(line.t).toISOString().slice(11, 23);
  const follow = box.scrollTop + box.clientHeight >= box.scrollHeight - 4;
  box.append(el('div', { class: line.source }, el('span', { class: 't' }, `${time} ${line.source}`), line.source === 'proxy' ? summariseProxyLine(line.line) : line.line));
  while (box.childElementCount > keep) box.firstElementChild?.remove();
  if (follow) box.scrollTop = box.scrollHeight;
}
