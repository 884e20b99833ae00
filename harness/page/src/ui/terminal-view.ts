import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { TerminalConnection } from '../terminal-connection.ts';
import { byId } from './dom.ts';

export interface TerminalView {
  connect(): TerminalConnection;
}

/** xterm.js on the page, wired to /dev/ws/terminal through the proxy. */
export function mountTerminal(Socket: typeof WebSocket): TerminalView {
  const term = new Terminal({
    cols: 96,
    rows: 14,
    fontFamily: "ui-monospace, 'JetBrains Mono', Menlo, Consolas, monospace",
    fontSize: 12,
    theme: { background: '#0b0d10', foreground: '#d7dae0', cursor: '#5aa9ff' },
  });
  term.open(byId('terminal'));
  const pill = byId('terminal-status');
  let current: TerminalConnection | undefined;
  term.onData((keys) => current?.type(keys));
  return {
    connect() {
      current?.close();
      const url = `${location.origin.replace(/^http/, 'ws')}/dev/ws/terminal`;
      current = new TerminalConnection(url, {
        output: (text) => term.write(text),
        status: (text, state) => {
          pill.textContent = text;
          pill.className = `pill ${state === 'open' ? 'ok' : state === 'abnormal' ? 'bad' : state === 'closed' ? 'warn' : ''}`;
        },
      }, Socket);
      current.connect();
      current.resize(term.cols, term.rows);
      return current;
    },
  };
}
