import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { ProtocolError } from '../common/errors.ts';
import type { TimelineEvent } from '../common/timeline.ts';
import { connectWorkbench } from '../common/workbench.ts';
import { ECHO_CHANNEL } from '../node/management.ts';
import { useServer } from './server-fixture.ts';
import { COMMIT } from './raw-client.ts';

const fx = useServer();

const options = (onTimeline?: (event: TimelineEvent) => void) => ({
  baseUrl: fx.server.url,
  WebSocket,
  commit: COMMIT,
  timeScale: 0.01,
  extensionHost: false,
  onTimeline,
});

describe('first connection', () => {
  it('tries up to 5 times back to back and connects on the 5th', async () => {
    fx.server.setFaults([{ type: 'upgrade-refuse', attributes: { status: 503 }, which: { first: 4 } }]);
    fx.workbench = await connectWorkbench(options());
    const kinds = fx.workbench.timeline.map((e) => `${e.kind}${e.code ? `:${e.code}` : ''}`);
    expect(kinds.slice(0, 6)).toEqual(['close:1006', 'close:1006', 'close:1006', 'close:1006', 'open', 'handshake']);
  });

  it('gives up after 5 refused attempts with the workbench\'s message', async () => {
    fx.server.setFaults([{ type: 'upgrade-refuse', attributes: { status: 503 }, which: { first: 5 } }]);
    const error = (await connectWorkbench(options()).catch((e: unknown) => e)) as ProtocolError;
    expect(error.code).toBe('RECONNECT_FAILED');
    expect(error.message).toBe('The workbench failed to connect to the server (Error: WebSocket close with status code 1006)');
  });
});

describe('reconnection after a drop', () => {
  it('follows VS Code\'s schedule (0, 5, 5, 10, 10, 10… s, scaled) and recovers when the server does', async () => {
    const attempts: TimelineEvent[] = [];
    let resolveSixth: () => void = () => undefined;
    const sixth = new Promise<void>((resolve) => (resolveSixth = resolve));
    fx.workbench = await connectWorkbench(
      options((event) => {
        if (event.kind !== 'reconnect') return;
        attempts.push(event);
        if (attempts.length === 6) resolveSixth();
      }),
    );
    fx.server.setFaults([{ type: 'upgrade-refuse', attributes: { status: 502 } }]);
    const pending = fx.workbench.management.call(ECHO_CHANNEL, 'echo', 'sent while down');
    fx.server.protocol.dropSockets();
    await sixth;
    fx.server.clearFaults();
    expect(attempts.map((e) => [e.attempt, e.reason])).toEqual([
      [1, 'in 0 ms'],
      [2, 'in 50 ms'],
      [3, 'in 50 ms'],
      [4, 'in 100 ms'],
      [5, 'in 100 ms'],
      [6, 'in 100 ms'],
    ]);
    expect(await pending).toBe('sent while down');
    const handshakes = fx.workbench.timeline.filter((e) => e.kind === 'handshake');
    expect(handshakes.at(-1)).toMatchObject({ reason: expect.stringMatching(/^reconnected/), lost: 0 });
  });
});
