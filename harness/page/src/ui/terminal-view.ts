import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { TerminalConnection } from '../terminal-connection.ts';
import { endsAtLineStart, sessionSeparator } from '../terminal-text.ts';
import { byId } from './dom.ts';

export interface TerminalView {
  connect(): TerminalConnection;
  /** Every row of xterm's buffer as text, scrollback included. */
  rows(): string[];
}

const FONT = { family: "ui-monospace, 'JetBrains Mono', Menlo, Consolas, monospace", size: 12 };
/** Room xterm's viewport keeps for its scrollbar. */
const SCROLLBAR_PX = 14;

/**
 * As many columns and rows as the pane holds (what xterm's fit addon does, without the
 * dependency): a fixed 96 columns was cut off by a narrower pane, so long lines lost their end.
 */
function fitToHost(term: Terminal, host: HTMLElement): void {
  const probe = document.createElement('span');
  probe.style.cssText = `position:absolute;visibility:hidden;white-space:pre;font-family:${FONT.family};font-size:${FONT.size}px`;
  probe.textContent = 'W'.repeat(50);
  document.body.append(probe);
  const cellWidth = probe.getBoundingClientRect().width / 50;
  probe.remove();
  const rowsBox = host.querySelector('.xterm-rows')?.getBoundingClientRect();
  const cellHeight = rowsBox && term.rows > 0 ? rowsBox.height / term.rows : 0;
  const style = getComputedStyle(host);
  const width = host.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - SCROLLBAR_PX;
  const height = host.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
  if (!(cellWidth > 0 && cellHeight > 0)) return;
  const cols = Math.max(20, Math.floor(width / cellWidth));
  const rows = Math.max(5, Math.floor(height / cellHeight));
  if (cols !== term.cols || rows !== term.rows) term.resize(cols, rows);
}

/** xterm.js on the page, wired to /dev/ws/terminal through the proxy. */
export function mountTerminal(Socket: typeof WebSocket): TerminalView {
  const term = new Terminal({
    // A starting size only: fitToHost measures a drawn row and then sizes xterm to its pane.
    cols: 96,
    rows: 14,
    // The mock shell ends lines with \r\n; a bare \n from another backend still starts at column 0.
    convertEol: true,
    fontFamily: FONT.family,
    fontSize: FONT.size,
    theme: { background: '#0b0d10', foreground: '#d7dae0', cursor: '#5aa9ff' },
  });
  const host = byId('terminal');
  term.open(host);
  fitToHost(term, host);
  window.addEventListener('resize', () => fitToHost(term, host));
  void document.fonts.ready.then(() => fitToHost(term, host));
  const pill = byId('terminal-status');
  let current: TerminalConnection | undefined;
  // Tracked from what was written, not read from xterm's buffer: term.write parses later.
  let blank = true;
  let atLineStart = true;
  const write = (text: string): void => {
    if (text === '') return;
    term.write(text);
    blank = false;
    atLineStart = endsAtLineStart(text, atLineStart);
  };
  term.onData((keys) => current?.type(keys));
  // The shell learns every new size (its `size` command answers with it).
  term.onResize(({ cols, rows }) => current?.resize(cols, rows));
  return {
    rows() {
      const buffer = term.buffer.active;
      return Array.from({ length: buffer.length }, (_, i) => buffer.getLine(i)?.translateToString(true) ?? '');
    },
    connect() {
      current?.close();
      const url = `${location.origin.replace(/^http/, 'ws')}/dev/ws/terminal`;
      // A frame still in flight on the socket just replaced must not land in the new session.
      const connection: TerminalConnection = new TerminalConnection(url, {
        session: (after) => connection === current && write(sessionSeparator({ blank, atLineStart, after, cols: term.cols })),
        output: (text) => connection === current && write(text),
        status: (text, state) => {
          if (connection !== current) return;
          pill.textContent = text;
          pill.className = `pill ${state === 'open' ? 'ok' : state === 'abnormal' ? 'bad' : state === 'closed' ? 'warn' : ''}`;
        },
      }, Socket);
      current = connection;
      connection.connect();
      connection.resize(term.cols, term.rows);
      return connection;
    },
  };
}
