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

/** xterm.js on the page, wired to /dev/ws/terminal through the proxy. */
export function mountTerminal(Socket: typeof WebSocket): TerminalView {
  const term = new Terminal({
    cols: 96,
    rows: 14,
    // The mock shell ends lines with \r\n; a bare \n from another backend still starts at column 0.
    convertEol: true,
    fontFamily: "ui-monospace, 'JetBrains Mono', Menlo, Consolas, monospace",
    fontSize: 12,
    theme: { background: '#0b0d10', foreground: '#d7dae0', cursor: '#5aa9ff' },
  });
  term.open(byId('terminal'));
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
