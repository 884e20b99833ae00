// @vitest-environment happy-dom
// The page's control calls, against msw: the right method, route and body; errors keep the
// API's stable code. No network.
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ControlCallError, ControlClient } from './control.ts';

const base = 'http://harness.test';
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe('the control client', () => {
  it('applies a scenario with a POST carrying the id and profile', async () => {
    let body: unknown;
    server.use(
      http.post(`${base}/__harness/apply`, async ({ request }) => {
        body = await request.json();
        return HttpResponse.json({ scenario: { id: 'blackhole', profile: 'legacy' } });
      }),
    );
    const info = await new ControlClient(base).applyScenario('blackhole', 'legacy');
    expect(body).toEqual({ scenario: 'blackhole', profile: 'legacy' });
    expect(info.scenario).toEqual({ id: 'blackhole', profile: 'legacy' });
  });

  it('sends live fault changes as they are', async () => {
    let body: unknown;
    server.use(
      http.post(`${base}/__harness/faults`, async ({ request }) => {
        body = await request.json();
        return HttpResponse.json({});
      }),
    );
    await new ControlClient(base).setFaults({ socks: [{ type: 'blackhole', name: 'ui-blackhole' }], peerState: 'down' });
    expect(body).toEqual({ socks: [{ type: 'blackhole', name: 'ui-blackhole' }], peerState: 'down' });
  });

  it('turns an API error into a ControlCallError with its stable code and status', async () => {
    server.use(http.post(`${base}/__harness/apply`, () => HttpResponse.json({ code: 'scenario.unknown', error: 'unknown scenario "x"' }, { status: 404 })));
    const call = new ControlClient(base).applyScenario('x', 'fixed');
    await expect(call).rejects.toBeInstanceOf(ControlCallError);
    await expect(call).rejects.toMatchObject({ code: 'scenario.unknown', status: 404 });
  });

  it('reads the seed-style port probe', async () => {
    server.use(http.post(`${base}/__harness/port-probe`, () => HttpResponse.json({ ready: true, probes: [{ address: '127.0.0.1:1055', open: true }] })));
    await expect(new ControlClient(base).portProbe()).resolves.toEqual({ ready: true, probes: [{ address: '127.0.0.1:1055', open: true }] });
  });
});
