// @vitest-environment happy-dom
// Every socket the page opens lands in the timeline with when it opened and how it closed.
import { ws } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SocketTimeline } from './timeline.ts';

const link = ws.link('ws://harness.test/dev/code/*');
const server = setupServer(
  link.addEventListener('connection', ({ client }) => {
    if (client.url.pathname.endsWith('/refused')) client.close(1014, 'socks.timeout.greeting after 500 ms');
  }),
);
beforeAll(() => server.listen());
afterAll(() => server.close());

describe('the socket timeline', () => {
  it('records opens and closes, with code and reason, in order, per label', async () => {
    let clock = 1000;
    const timeline = new SocketTimeline(() => (clock += 10));
    const seen: number[] = [];
    timeline.onChange((entry) => entry && seen.push(entry.id));
    const Socket = timeline.constructorFor('workbench');
    const ok = new Socket('ws://harness.test/dev/code/ok');
    new Socket('ws://harness.test/dev/code/refused');
    await expect.poll(() => timeline.all().map((e) => e.code)).toEqual([undefined, 1014]);
    ok.close(1000, 'bye');
    await expect.poll(() => timeline.all()[0]?.code).toBe(1000);
    expect(timeline.all()[1]).toMatchObject({ label: 'workbench', reason: 'socks.timeout.greeting after 500 ms' });
    expect(timeline.firstClose()?.id).toBe(2);
    expect(seen.length).toBeGreaterThanOrEqual(4);
    expect(timeline.all()[0]?.openedAt).toBeGreaterThan(timeline.all()[0]?.createdAt ?? Infinity);
  });

  it('stays bounded: the oldest closed sockets go first, open ones stay, Clear keeps only the open ones', () => {
    const timeline = new SocketTimeline(() => 0, 3);
    const open = timeline.track('terminal', 'ws://harness.test/dev/ws/terminal');
    for (let i = 0; i < 5; i++) timeline.update(timeline.track('workbench', `ws://harness.test/dev/code/${i}`), { closedAt: 1, code: 1014 });
    expect(timeline.all().map((e) => e.url.split('/').pop())).toEqual(['terminal', '3', '4']);
    expect(timeline.dropped()).toBe(3);
    timeline.clear();
    expect(timeline.all()).toEqual([open]);
    expect(timeline.dropped()).toBe(0);
    timeline.update(open, { closedAt: 2, code: 1000 });
    expect(timeline.all()[0]?.code).toBe(1000);
  });
});
