import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startServer, type ServerHandle } from '../node/server.ts';
import { rawUpgrade, upgradeHeaders } from './raw-http.ts';

let server: ServerHandle;
beforeAll(async () => {
  server = await startServer({ folder: '/home/coder/project' });
});
afterAll(async () => server.close());

interface Frame {
  type: string;
  data?: string;
  cols?: number;
  rows?: number;
  code?: number;
}

async function openTerminal(): Promise<{ ws: WebSocket; next(type: string, contains?: string): Promise<Frame>; closed: Promise<number> }> {
  const ws = new WebSocket(`${server.url.replace('http', 'ws')}/terminal`);
  const frames: Frame[] = [];
  const waiters: (() => void)[] = [];
  ws.on('message', (data: Buffer) => {
    frames.push(JSON.parse(data.toString()) as Frame);
    for (const wake of waiters.splice(0)) wake();
  });
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  await new Promise((resolve) => ws.once('open', resolve));
  let output = '';
  const next = async (type: string, contains?: string): Promise<Frame> => {
    for (;;) {
      const index = frames.findIndex((f) => {
        if (f.type !== type) return false;
        if (contains === undefined) return true;
        output += f.data ?? '';
        return output.includes(contains);
      });
      if (index >= 0) return frames.splice(0, index + 1)[index] as Frame;
      frames.splice(0);
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  return { ws, next, closed };
}

const input = (data: string) => JSON.stringify({ type: 'input', data });

describe('terminal endpoint', () => {
  it('greets, echoes keystrokes and runs echo/pwd', async () => {
    const term = await openTerminal();
    await term.next('output', '$ ');
    term.ws.send(input('echo hello world\r'));
    await term.next('output', 'echo hello world\r\nhello world\r\n$ ');
    term.ws.send(input('pwd\r'));
    await term.next('output', '/home/coder/project\r\n');
    term.ws.send(input('nope\r'));
    await term.next('output', 'sh: nope: command not found');
    term.ws.terminate();
  });

  it('answers resize with resized and reports the size', async () => {
    const term = await openTerminal();
    term.ws.send(JSON.stringify({ type: 'resize', cols: 132, rows: 43 }));
    expect(await term.next('resized')).toEqual({ type: 'resized', cols: 132, rows: 43 });
    term.ws.send(input('size\r'));
    await term.next('output', '132x43');
    term.ws.terminate();
  });

  it('handles backspace before Enter', async () => {
    const term = await openTerminal();
    term.ws.send(input('echo abX\x7fc\r'));
    await term.next('output', '\r\nabc\r\n');
    term.ws.terminate();
  });

  it('exit sends an exit frame and a 1000 close', async () => {
    const term = await openTerminal();
    term.ws.send(input('exit 3\r'));
    expect(await term.next('exit')).toEqual({ type: 'exit', code: 3 });
    expect(await term.closed).toBe(1000);
  });

  it('needs the session cookie when a password is set', async () => {
    const locked = await startServer({ password: 'pw' });
    try {
      const reply = await rawUpgrade(locked.port, '/terminal', upgradeHeaders(`127.0.0.1:${locked.port}`));
      expect(reply).toMatch(/^HTTP\/1\.1 401 Unauthorized\r\n/);
    } finally {
      await locked.close();
    }
  });
});
