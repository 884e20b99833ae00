import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startStack } from './stack.ts';
import type { Stack } from './stack.ts';

describe('the stack', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack.close();
  });

  it('reaches code-server through the front door, the proxy, mock-socks and the tailnet peer', async () => {
    const ready = await fetch(`${stack.url}/readyz`);
    expect(ready.status).toBe(200);
    const info = stack.info();
    expect(info.proxy.kind).toBe('ours');
    expect(info.socks.addresses.length).toBeGreaterThan(0);
  });

  it('applies a scenario: the peer refuses, readiness says so and names the general failure', async () => {
    await stack.applyScenario('peer-refuses', 'fixed');
    const ready = await fetch(`${stack.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.text()).toMatch(/general_failure|general failure/);
    expect(stack.logs().some((l) => l.source === 'socks' && /connection was refused/.test(l.line))).toBe(true);
    await stack.applyScenario(null, 'fixed');
  });

  it('relays a WebSocket close frame from the proxy unchanged', async () => {
    await stack.applyScenario('peer-refuses', 'fixed');
    const ws = new WebSocket(`${stack.url.replace('http', 'ws')}/dev/code/stable-x?reconnectionToken=a&reconnection=false&skipWebSocketFrames=false`);
    ws.on('error', () => {});
    const [code, reason] = await new Promise<[number, string]>((resolve) => ws.on('close', (c, r) => resolve([c, r.toString()])));
    expect(code).toBe(1014);
    expect(reason).toMatch(/socks/);
    await stack.applyScenario(null, 'fixed');
  });
});

describe('stopping the stack', () => {
  it('leaves no socket, server or timer behind', async () => {
    // What a stack leaves open shows up as active resources (TCP handles, timers) after close().
    const count = () => process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap').length;
    const before = count();
    const stack = await startStack({ scenario: 'request-timeout', variant: 'fixed' });
    const ws = new WebSocket(`${stack.url.replace('http', 'ws')}/dev/ws/terminal`);
    await new Promise((resolve) => ws.once('message', resolve));
    expect(count()).toBeGreaterThan(before);
    await stack.close();
    ws.terminate();
    await expect.poll(count).toBeLessThanOrEqual(before);
  });
});
