// The terminal endpoint: a small line shell over text WebSocket frames, each one JSON object.
//   client → server  {"type":"input","data":"<keystrokes>"}   {"type":"resize","cols":N,"rows":N}
//   server → client  {"type":"output","data":"<text>"}        {"type":"resized","cols":N,"rows":N}
//                    {"type":"exit","code":N}  then a close frame 1000 "exit"
// Keystrokes are echoed as a terminal in cooked mode would; Enter (\r or \n) runs the line.
import type { WebSocket } from 'ws';

const PROMPT = '$ ';
const HELP = 'commands: help, echo TEXT, pwd, date, whoami, size, clear, exit [CODE]';

interface TerminalState {
  line: string;
  cols: number;
  rows: number;
  cwd: string;
}

function run(line: string, state: TerminalState): { output: string; exitCode?: number } {
  const [command = '', ...args] = line.trim().split(/\s+/);
  switch (command) {
    case '':
      return { output: '' };
    case 'help':
      return { output: `${HELP}\r\n` };
    case 'echo':
      return { output: `${args.join(' ')}\r\n` };
    case 'pwd':
      return { output: `${state.cwd}\r\n` };
    case 'date':
      return { output: `${new Date().toUTCString()}\r\n` };
    case 'whoami':
      return { output: 'coder\r\n' };
    case 'size':
      return { output: `${state.cols}x${state.rows}\r\n` };
    case 'clear':
      return { output: '\x1b[H\x1b[2J' };
    case 'exit': {
      const code = Number.parseInt(args[0] ?? '0', 10);
      return { output: 'exit\r\n', exitCode: Number.isFinite(code) ? code : 0 };
    }
    default:
      return { output: `sh: ${command}: command not found\r\n` };
  }
}

function parseFrame(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function attachTerminal(ws: WebSocket, cwd: string): void {
  const state: TerminalState = { line: '', cols: 80, rows: 24, cwd };
  const send = (value: unknown): void => ws.send(JSON.stringify(value));
  send({ type: 'output', data: `mock-code-server terminal. Type "help".\r\n${PROMPT}` });

  const onKeys = (keys: string): void => {
    let echo = '';
    for (const key of keys) {
      if (key === '\r' || key === '\n') {
        const result = run(state.line, state);
        state.line = '';
        echo += `\r\n${result.output}`;
        if (result.exitCode !== undefined) {
          send({ type: 'output', data: echo });
          send({ type: 'exit', code: result.exitCode });
          ws.close(1000, 'exit');
          return;
        }
        echo += PROMPT;
      } else if (key === '\x7f' || key === '\b') {
        if (state.line.length > 0) {
          state.line = state.line.slice(0, -1);
          echo += '\b \b';
        }
      } else if (key === '\x03') {
        state.line = '';
        echo += `^C\r\n${PROMPT}`;
      } else if (key >= ' ') {
        state.line += key;
        echo += key;
      }
    }
    if (echo) send({ type: 'output', data: echo });
  };

  ws.on('message', (data: Buffer, isBinary: boolean) => {
    const frame = parseFrame(isBinary ? data.toString('utf8') : data.toString());
    if (!frame) return;
    if (frame.type === 'input' && typeof frame.data === 'string') onKeys(frame.data);
    if (frame.type === 'resize' && Number.isInteger(frame.cols) && Number.isInteger(frame.rows)) {
      state.cols = Math.max(1, frame.cols as number);
      state.rows = Math.max(1, frame.rows as number);
      send({ type: 'resized', cols: state.cols, rows: state.rows });
    }
  });
  ws.on('error', () => ws.terminate());
}
