// The HTTP control API (`--control`): faults, peers, connections, transcripts and logs over HTTP,
// driven with fetch the way the README's curl examples drive it.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { server, type TestServer } from './fixture.ts';
import { startEcho, type Target } from './targets.ts';
import { RawClient } from './wire.ts';
import { GREETING_NO_AUTH, connectRequest } from './requests.ts';
import { startControl, type ControlServer } from '../control.ts';

let echo: Target;
let socks: TestServer;
let control: ControlServer;
beforeAll(async () => {
  echo = await startEcho();
});
afterAll(() => echo.close());
beforeEach(async () => {
  socks = await server({ transcript: true, peers: [{ address: '100.84.184.84', names: ['devbox'], ports: { 80: `127.0.0.1:${echo.port}` } }] });
  control = await startControl(socks, '127.0.0.1:0');
});
afterEach(async () => {
  await control.close();
  await socks.close();
});

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown; text: string }> {
  const res = await fetch(control.url + path, { method, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

describe('faults', () => {
  it('POST adds one (replacing its namesake), PUT replaces the list, DELETE removes one or all', async () => {
    expect(await call('POST', '/faults', { type: 'latency', attributes: { latencyMs: 10 } })).toMatchObject({ status: 201 });
    await call('POST', '/faults', { type: 'blackhole', where: 'connect' });
    await call('POST', '/faults', { type: 'latency', attributes: { latencyMs: 20 } });
    expect(socks.faults()).toEqual([{ type: 'blackhole', where: 'connect' }, { type: 'latency', attributes: { latencyMs: 20 } }]);
    expect((await call('DELETE', '/faults/blackhole')).json).toEqual([{ type: 'latency', attributes: { latencyMs: 20 } }]);
    expect((await call('PUT', '/faults', [{ type: 'reset' }, { type: 'slicer', attributes: { averageSizeBytes: 1 } }])).status).toBe(200);
    expect((await call('GET', '/faults')).json).toEqual([{ type: 'reset' }, { type: 'slicer', attributes: { averageSizeBytes: 1 } }]);
    expect((await call('DELETE', '/faults')).json).toEqual([]);
    expect(socks.faults()).toEqual([]);
  });

  it('a fault the mock refuses is a 400 with its code, and the running faults stay as they were', async () => {
    await call('PUT', '/faults', [{ type: 'blackhole' }]);
    expect(await call('POST', '/faults', { type: 'latency', attributes: { latencyMs: -1 } })).toMatchObject({ status: 400, json: { code: 'fault.invalid' } });
    expect(await call('PUT', '/faults', [{ type: 'nope' }])).toMatchObject({ status: 400, json: { code: 'fault.invalid' } });
    expect(await call('PUT', '/faults', '{not json')).toMatchObject({ status: 400, json: { code: 'control.bad_json' } });
    expect(await call('PUT', '/faults', { type: 'blackhole' })).toMatchObject({ status: 400, json: { code: 'control.bad_body' } });
    expect(await call('DELETE', '/faults/latency')).toMatchObject({ status: 404, json: { code: 'fault.unknown' } });
    expect(await call('PUT', '/faults', 'x'.repeat(70_000))).toMatchObject({ status: 413 });
    expect(socks.faults()).toEqual([{ type: 'blackhole' }]);
  });

  it('a fault set over HTTP acts on the next connection', async () => {
    await call('POST', '/faults', { type: 'reply-code', attributes: { code: 2 } });
    const client = await RawClient.open(socks.port);
    client.send(GREETING_NO_AUTH + connectRequest('devbox', 80));
    await client.closed();
    expect(client.hex).toBe('0500' + '05020001000000000000');
  });
});

describe('peers', () => {
  it('lists the map, adds a peer, sets a state by address or name; bad input is a 4xx', async () => {
    expect((await call('GET', '/peers')).json).toEqual([{ address: '100.84.184.84', names: ['devbox'], ports: { 80: `127.0.0.1:${echo.port}` }, state: 'up' }]);
    expect(await call('POST', '/peers/devbox', { state: 'down' })).toMatchObject({ status: 200, json: { address: '100.84.184.84', state: 'down' } });
    expect(await call('POST', '/peers', { address: '100.64.0.9', names: ['other'], ports: { 22: '127.0.0.1:1' } })).toMatchObject({ status: 201, json: { address: '100.64.0.9', state: 'up' } });
    expect(socks.peers().map((p) => [p.address, p.state])).toEqual([['100.84.184.84', 'down'], ['100.64.0.9', 'up']]);
    expect(await call('POST', '/peers/devbox', { state: 'sideways' })).toMatchObject({ status: 400, json: { code: 'peer.invalid' } });
    expect(await call('POST', '/peers/nobody', { state: 'up' })).toMatchObject({ status: 404, json: { code: 'peer.unknown' } });
    expect(await call('POST', '/peers', { address: '10.0.0.1', ports: {} })).toMatchObject({ status: 400, json: { code: 'peer.not_tailnet' } });
    expect(await call('POST', '/peers', { address: '100.64.0.10', ports: { 80: 'nowhere' } })).toMatchObject({ status: 400, json: { code: 'peer.invalid' } });
  });
});

describe('connections, conversations, transcripts, logs', () => {
  it('shows a live connection, kills it, then serves its record and hex transcript', async () => {
    const client = await RawClient.open(socks.port);
    client.send(GREETING_NO_AUTH + connectRequest('devbox', 80) + '6869');
    await client.bytes(14);
    expect((await call('GET', '/connections')).json).toMatchObject([{ id: 1, phase: 'relay', destination: 'devbox:80', bytesUp: 2, bytesDown: 2 }]);
    expect(await call('DELETE', '/connections/1')).toMatchObject({ status: 200, json: { id: 1 } });
    await socks.closeOf(1);
    expect(await call('DELETE', '/connections/1')).toMatchObject({ status: 404, json: { code: 'connection.unknown' } });
    expect((await call('GET', '/conversations')).json).toMatchObject([{ event: 'close', id: 1, replyCode: 0, dialled: `127.0.0.1:${echo.port}` }]);
    const transcript = await call('GET', '/transcripts/1');
    expect(transcript.text.split('\n').slice(0, 2)).toEqual(['> 0501000501000306646576626f7800506869', '< 0500']);
    expect(await call('GET', '/transcripts/7')).toMatchObject({ status: 404, json: { code: 'transcript.unknown' } });
  });

  it('serves the log lines as text; unknown routes are 404', async () => {
    const client = await RawClient.open(socks.port);
    client.send('0401');
    await client.closed();
    await socks.logged(1);
    expect((await call('GET', '/logs')).text).toBe('socks5: client connection failed: incompatible SOCKS version\n');
    expect(await call('GET', '/nope')).toMatchObject({ status: 404, json: { code: 'control.no_route' } });
    expect(await call('PATCH', '/faults')).toMatchObject({ status: 404, json: { code: 'control.no_route' } });
  });
});

describe('listen address', () => {
  it('takes loopback only', async () => {
    for (const listen of ['0.0.0.0:0', '[::]:0', ':0', '192.0.2.1:0', 'example.com:0', 'nonsense']) {
      await expect(startControl(socks, listen)).rejects.toMatchObject({ code: 'listen.invalid' });
    }
    const v6 = await startControl(socks, '[::1]:0');
    expect(v6.url).toMatch(/^http:\/\/\[::1\]:\d+$/);
    await v6.close();
  });
});
