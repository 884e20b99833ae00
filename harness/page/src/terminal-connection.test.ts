// @vitest-environment happy-dom
// The page's reconnection rule, against msw's WebSocket mocks: a close frame is acted on by its
// code; a 1006 is retried but flagged; 1000 (the shell exited) is final. The timeline records
// every socket with its close code. No network.
import { ws } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TerminalConnection, reconnectDecision } from './terminal-connection.ts';
import type { CloseSeen, TerminalEvents } from './terminal-connection.ts';
import { SocketTimeline } from './timeline.ts';

const url = 'ws://harness.test/dev/ws/terminal';
const terminal = ws.link(url);
const server = setupServer();
beforeAll(() => server.listen());
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const quick = { backoffMs: () => 1, maxAttempts: 3 };

interface Watched extends TerminalEvents {
  states: string[];
  text: string;
  sessions: (CloseSeen | undefined)[];
}

function watch(): Watched {
  const watched: Watched = {
    states: [],
    text: '',
    sessions: [],
    output: (text) => void (watched.text += text),
    status: (_text, state) => void watched.states.push(state),
    session: (after) => void watched.sessions.push(after),
  };
  return watched;
}

describe('reconnectDecision', () => {
  it('stops on 1000, comes straight back on 1001, backs off and flags 1006', () => {
    expect(reconnectDecision(1000, 1)).toMatchObject({ reconnect: false });
    expect(reconnectDecision(1001, 1)).toMatchObject({ reconnect: true, delayMs: 0, abnormal: false });
    expect(reconnectDecision(1014, 2, quick)).toMatchObject({ reconnect: true, delayMs: 1, abnormal: false });
    expect(reconnectDecision(1006, 1, quick)).toMatchObject({ reconnect: true, abnormal: true });
    expect(reconnectDecision(1014, 4, quick)).toMatchObject({ reconnect: false });
  });
});

describe('the terminal connection', () => {
  it('reconnects after a coded close frame and sends input once open', async () => {
    let connections = 0;
    const received: string[] = [];
    server.use(
      terminal.addEventListener('connection', ({ client }) => {
        connections++;
        if (connections === 1) return client.close(1014, 'socks.reply_general_failure');
        client.addEventListener('message', (event) => received.push(String(event.data)));
        client.send(JSON.stringify({ type: 'output', data: 'ready$ ' }));
      }),
    );
    const timeline = new SocketTimeline();
    const events = watch();
    const connection = new TerminalConnection(url, events, timeline.constructorFor('terminal'), quick);
    connection.connect();
    await expect.poll(() => connections === 2 && events.states.at(-1) === 'open').toBe(true);
    connection.type('ls\r');
    await expect.poll(() => received.some((m) => m.includes('"input"'))).toBe(true);
    expect(events.text).toBe('ready$ ');
    // One shell answered, on the second socket, and it knows what ended the first.
    expect(events.sessions).toEqual([{ code: 1014, reason: 'socks.reply_general_failure' }]);
    expect(events.states).toContain('connecting');
    expect(events.states).not.toContain('abnormal');
    expect(timeline.all()[0]).toMatchObject({ label: 'terminal', code: 1014, reason: 'socks.reply_general_failure' });
    connection.close();
  });

  it('flags a close without a close frame (1006) and still retries', async () => {
    let connections = 0;
    server.use(
      terminal.addEventListener('connection', ({ client }) => {
        connections++;
        if (connections === 1) client.close(1006);
        else client.send(JSON.stringify({ type: 'output', data: '$ ' }));
      }),
    );
    const events = watch();
    const connection = new TerminalConnection(url, events, WebSocket, quick);
    connection.connect();
    await expect.poll(() => events.states.at(-1)).toBe('open');
    expect(events.states).toContain('abnormal');
    expect(connections).toBe(2);
    connection.close();
  });

  it('is connected only once a shell answers: an upgraded socket closed with 1014 never was', async () => {
    let connections = 0;
    server.use(
      terminal.addEventListener('connection', ({ client }) => {
        connections++;
        if (connections <= 2) return client.close(1014, 'upstream unreachable');
        client.send(JSON.stringify({ type: 'output', data: 'hello\r\n$ ' }));
      }),
    );
    const events = watch();
    const connection = new TerminalConnection(url, events, WebSocket, quick);
    connection.connect();
    await expect.poll(() => events.states.at(-1)).toBe('open');
    expect(connections).toBe(3);
    expect(events.states.filter((s) => s === 'open')).toHaveLength(1);
    expect(events.sessions).toEqual([{ code: 1014, reason: 'upstream unreachable' }]);
    connection.close();
  });

  it('does not reconnect after the shell exited (1000)', async () => {
    let connections = 0;
    server.use(
      terminal.addEventListener('connection', ({ client }) => {
        connections++;
        client.close(1000, 'exit');
      }),
    );
    const events = watch();
    const connection = new TerminalConnection(url, events, WebSocket, quick);
    connection.connect();
    await expect.poll(() => events.states.at(-1)).toBe('closed');
    expect(connections).toBe(1);
  });
});
