// The `restart` fault: code-server's process restarts and forgets every session. A new
// RemoteExtensionHostAgentServer has an empty _allReconnectionTokens, so the workbench's
// reconnection meets "Unknown reconnection token (never seen)" and gives up (permanent).
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { ProtocolError } from '../common/errors.ts';
import { connectWorkbench } from '../common/workbench.ts';
import { ECHO_CHANNEL } from '../node/management.ts';
import { startServer } from '../node/server.ts';
import { eventually } from './drive.ts';
import { COMMIT, controlJson, handshake, openRaw, wsUrl } from './raw-client.ts';
import { useServer } from './server-fixture.ts';

const fx = useServer();

const open = () => connectWorkbench({ baseUrl: fx.server.url, WebSocket, commit: COMMIT, timeScale: 0.01 });

describe('restart', () => {
  it('set live: open sockets drop, and the workbench\'s reconnection is refused for good with "Unknown reconnection token (never seen)"', async () => {
    const wb = (fx.workbench = await open());
    await wb.extensionHost!.ready();
    expect(await wb.management.call(ECHO_CHANNEL, 'echo', 'before')).toBe('before');
    const pending = wb.management.call(ECHO_CHANNEL, 'echo', 'across the restart').catch((e: unknown) => e as ProtocolError);
    fx.server.setFaults([{ type: 'restart' }]);
    expect(await pending).toMatchObject({
      code: 'reconnect.failed',
      message: 'Cannot reconnect. Please reload the window. (Connection error: Unknown reconnection token (never seen))',
    });
    // Both sockets ended at TCP level (1006); the refused reconnections may add more of those.
    expect(new Set(wb.timeline.filter((e) => e.kind === 'close' && e.code === 1006).map((e) => e.connection))).toEqual(new Set(['extensionHost', 'management']));
    // A reload (a new workbench, new tokens) works at once: the server is up, only its memory is gone.
    const reloaded = (fx.workbench = await open());
    expect(await reloaded.management.call(ECHO_CHANNEL, 'echo', 'after')).toBe('after');
  });

  it('forgets tokens: an old token is "never seen", not "seen before"', async () => {
    const token = 'restart-token';
    const first = await openRaw(wsUrl(fx.server.url, { reconnectionToken: token, reconnection: 'false', skipWebSocketFrames: 'false' }));
    expect(controlJson(await handshake(first, 1))).toEqual({ type: 'ok' });
    fx.server.setFaults([{ type: 'restart' }]);
    expect(await first.closed).toBe(1006);
    const again = await openRaw(wsUrl(fx.server.url, { reconnectionToken: token, reconnection: 'true', skipWebSocketFrames: 'false' }));
    expect(controlJson(await handshake(again, 1))).toEqual({ type: 'error', reason: 'Unknown reconnection token (never seen)' });
    expect(await again.closed).toBe(1006);
  });

  it('with afterMessages, restarts once a selected socket carried that many Regulars — once per setFaults', async () => {
    const lines: string[] = [];
    const server = await startServer({ timeScale: 0.01, log: (line) => lines.push(line) });
    try {
      server.setFaults([{ type: 'restart', attributes: { afterMessages: 6 }, which: { first: 1 } }]);
      const wb = await connectWorkbench({ baseUrl: server.url, WebSocket, commit: COMMIT, timeScale: 0.01, extensionHost: false });
      // context + Initialize in, Initialize out: 3 Regulars; each echo call is 2 more.
      const outcomes: unknown[] = [];
      for (let n = 1; n <= 4; n++) outcomes.push(await wb.management.call(ECHO_CHANNEL, 'echo', n).catch((e: unknown) => (e as ProtocolError).code));
      expect(outcomes.slice(0, 1)).toEqual([1]);
      expect(outcomes.at(-1)).toBe('reconnect.failed');
      expect(lines.filter((l) => l.startsWith('restart'))).toEqual([expect.stringMatching(/^restart \(fault restart after 6 messages on socket #1\): 1 sessions and their reconnection tokens forgotten/)]);
      wb.close();
      const next = await connectWorkbench({ baseUrl: server.url, WebSocket, commit: COMMIT, timeScale: 0.01, extensionHost: false });
      for (let i = 0; i < 10; i++) expect(await next.management.call(ECHO_CHANNEL, 'echo', i)).toBe(i);
      expect(lines.filter((l) => l.startsWith('restart'))).toHaveLength(1);
      next.close();
    } finally {
      await server.close();
    }
  });

  it('leaves the terminal (another process) open', async () => {
    const terminal = new WebSocket(`${fx.server.url.replace('http', 'ws')}/terminal`);
    await new Promise((resolve) => terminal.once('open', resolve));
    const raw = await openRaw(wsUrl(fx.server.url, { reconnectionToken: 'with-terminal', reconnection: 'false', skipWebSocketFrames: 'false' }));
    fx.server.setFaults([{ type: 'restart' }]);
    expect(await raw.closed).toBe(1006);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(terminal.readyState).toBe(WebSocket.OPEN);
    const closed = new Promise((resolve) => terminal.once('close', resolve));
    terminal.close();
    await closed;
    await eventually(() => fx.server.openSockets() === 0);
  });

  it('refuses "which" without afterMessages (a restart set live has no socket to pick)', () => {
    expect(() => fx.server.setFaults([{ type: 'restart', which: { nth: 1 } }])).toThrowError(expect.objectContaining({ code: 'fault.invalid' }));
  });
});
