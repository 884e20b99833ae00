import { summariseProxyLine } from '../../../proxy-line.ts';
import type { LogLine } from '../../../stack-info.ts';
import { el } from './dom.ts';

const keep = 500;

export function appendLog(box: HTMLElement, line: LogLine): void {
  const time = new Date(line.t).toISOString().slice(11, 23);
  const follow = box.scrollTop + box.clientHeight >= box.scrollHeight - 4;
  // code-server's 40-hex commit in every workbench path says nothing new after the first time.
  const text = (line.source === 'proxy' ? summariseProxyLine(line.line) : line.line).replaceAll(/stable-([0-9a-f]{8})[0-9a-f]{32}/g, 'stable-$1…');
  box.append(el('div', { class: line.source }, el('span', { class: 't' }, `${time} ${line.source}`), text));
  while (box.childElementCount > keep) box.firstElementChild?.remove();
  if (follow) box.scrollTop = box.scrollHeight;
}
