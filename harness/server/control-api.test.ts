// The control API over real HTTP: what the page's switches and `curl` call.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack } from '../stack.ts';
import type { Stack } from '../stack.ts';

describe('the control API', () => {
  let stack: Stack;
  const post = (route: string, body: unknown) =>
    fetch(`${stack.url}/__harness/${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack.close();
  });

  it('applies a scenario and reports the stack that runs it', async () => {
    const response = await post('apply', { scenario: 'ipv6-only-bind', profile: 'legacy' });
    expect(response.status).toBe(200);
    const info = (await response.json()) as { scenario: unknown; socks: { bind: string; addresses: { family: number }[] }; proxy: { socksUrl: string; legacyKnobs: string[] } };
    expect(info.scenario).toEqual({ id: 'ipv6-only-bind', profile: 'legacy' });
    expect(info.socks.bind).toBe('ipv6-only');
    expect(info.socks.addresses.every((a) => a.family === 6)).toBe(true);
    expect(info.proxy.socksUrl).toMatch(/^socks5:\/\/127\.0\.0\.1:\d+$/);
    expect(info.proxy.legacyKnobs).toEqual(['singleAddress', 'passThroughUpgrade']);
  });

  it('changes faults live and streams the SOCKS log lines they cause', async () => {
    await post('apply', { scenario: null, profile: 'fixed' });
    const events = await fetch(`${stack.url}/__harness/events`);
    const reader = events.body!.getReader();
    const faults = await post('faults', { peerState: 'refusing' });
    expect(((await faults.json()) as { peer: { state: string } }).peer.state).toBe('refusing');
    expect((await fetch(`${stack.url}/readyz`)).status).toBe(503);
    let text = '';
    while (!text.includes('connection was refused')) text += new TextDecoder().decode((await reader.read()).value);
    expect(text).toMatch(/event: log\ndata: .*"source":"socks".*connection was refused/);
    await reader.cancel();
  });

  it('runs the doctor against the tailnet as it is: every hop passes, then names peer-down once the peer is down', async () => {
    await post('apply', { scenario: null, profile: 'fixed' });
    const healthy = (await (await post('doctor', {})).json()) as { exitCode: number; text: string };
    expect(healthy.exitCode).toBe(0);
    expect(healthy.text).not.toMatch(/^FAIL/m);
    await post('peer', { state: 'down' });
    const down = (await (await post('doctor', {})).json()) as { exitCode: number; text: string };
    expect(down.exitCode).toBe(1);
    expect(down.text).toMatch(/^FAIL/m);
    expect(down.text).toMatch(/diagnosis: peer-down/);
    await post('reset', {});
  });

  it('answers bad input with 4xx and a stable code', async () => {
    const unknown = await post('apply', { scenario: 'nope' });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ code: 'scenario.unknown' });
    const profile = await post('apply', { scenario: null, profile: 'medium' });
    expect(await profile.json()).toMatchObject({ code: 'profile.invalid' });
    const faults = await post('faults', { socks: [{ nope: 1 }] });
    expect(faults.status).toBe(400);
    expect(await faults.json()).toMatchObject({ code: 'fault.invalid' });
    const json = await fetch(`${stack.url}/__harness/faults`, { method: 'POST', body: '{' });
    expect(await json.json()).toMatchObject({ code: 'control.bad_json' });
    expect((await fetch(`${stack.url}/__harness/nothing`)).status).toBe(404);
  });

  it('adds and removes one fault at a time, sets the peer, resets, as any HTTP client can', async () => {
    await post('apply', { scenario: null, profile: 'fixed' });
    const added = await post('faults/socks', { name: 'slow', type: 'latency', where: 'downstream', attributes: { latencyMs: 5 } });
    expect(await added.json()).toMatchObject({ socks: [{ name: 'slow', type: 'latency' }], server: [], peerState: 'up' });
    await post('faults/server', { type: 'upgrade-refuse', attributes: { status: 403 } });
    expect(stack.info().faults.server).toEqual([{ type: 'upgrade-refuse', attributes: { status: 403 } }]);
    await post('peer', { state: 'refusing' });
    expect((await (await fetch(`${stack.url}/__harness/faults`)).json()) as unknown).toMatchObject({ peerState: 'refusing' });
    const removed = await fetch(`${stack.url}/__harness/faults/socks/slow`, { method: 'DELETE' });
    expect(await removed.json()).toMatchObject({ socks: [], server: [{ type: 'upgrade-refuse' }] });
    expect((await fetch(`${stack.url}/__harness/faults/socks/slow`, { method: 'DELETE' })).status).toBe(404);
    await post('faults/front', { name: 'idle', type: 'idle-timeout', attributes: { idleMs: 60000 } });
    expect(stack.info().faults.front).toEqual([{ name: 'idle', type: 'idle-timeout', attributes: { idleMs: 60000 } }]);
    expect(await (await fetch(`${stack.url}/__harness/faults/front/idle`, { method: 'DELETE' })).json()).toMatchObject({ front: [] });
    const reset = await post('reset', {});
    expect(await reset.json()).toEqual({ socks: [], server: [], front: [], peerState: 'up' });
    expect((await fetch(`${stack.url}/readyz`)).status).toBe(200);
  });

  it('refuses a fault the mocks do not know, and keeps the faults that were set', async () => {
    await post('faults', { socks: [{ type: 'blackhole' }] });
    const unknown = await post('faults/socks', { type: 'no-such-fault' });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ code: 'fault.invalid', error: expect.stringMatching(/no-such-fault/) as unknown as string });
    const server = await post('faults', { socks: [], server: [{ type: 'no-such-server-fault' }] });
    expect(server.status).toBe(400);
    expect(stack.info().faults).toEqual({ socks: [{ type: 'blackhole' }], server: [], front: [] });
    // A bad front fault, or a bad attribute, is refused before any hop changes.
    const front = await post('faults', { socks: [], front: [{ type: 'idle-timeout', attributes: { idleMs: -1 } }] });
    expect(front.status).toBe(400);
    expect(await front.json()).toMatchObject({ code: 'fault.invalid', error: expect.stringMatching(/idle-timeout: 'idleMs'/) as unknown as string });
    expect((await post('faults/front', { type: 'path-prefix', attributes: { prefx: '/ide' } })).status).toBe(400);
    expect(stack.info().faults).toEqual({ socks: [{ type: 'blackhole' }], server: [], front: [] });
    await post('reset', {});
  });

  it('the seed-style port probe says "listening" however broken SOCKS is', async () => {
    await post('apply', { scenario: 'not-socks', profile: 'fixed' });
    const probe = (await (await post('port-probe', {})).json()) as { ready: boolean };
    expect(probe.ready).toBe(true);
    expect((await fetch(`${stack.url}/readyz`)).status).toBe(503);
  });
});
