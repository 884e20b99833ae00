import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { fromUtf8, utf8 } from '../common/bytes.ts';
import { connectWorkbench, type Workbench } from '../common/workbench.ts';
import { ECHO_CHANNEL } from '../node/management.ts';
import { useServer } from './server-fixture.ts';
import { COMMIT } from './raw-client.ts';

const fx = useServer();

const open = async (timeScale = 0.05) => {
  fx.workbench = await connectWorkbench({ baseUrl: fx.server.url, WebSocket, commit: COMMIT, timeScale });
  return fx.workbench;
};

/** Sends `count` numbered messages on the extension host and resolves with the echoes, in arrival order. */
function echoes(wb: Workbench, count: number, between?: (i: number) => void): Promise<string[]> {
  const host = wb.extensionHost!;
  const received: string[] = [];
  return new Promise((resolve) => {
    host.onMessage((data) => {
      received.push(fromUtf8(data));
      if (received.length === count) resolve(received);
    });
    for (let i = 0; i < count; i++) {
      host.send(utf8(`m${i}`));
      between?.(i);
    }
  });
}

describe('connectWorkbench over real sockets (ws)', () => {
  it('opens management then extension host, and the timeline says so', async () => {
    const wb = await open();
    await wb.extensionHost!.ready();
    const summary = wb.timeline.map((e) => `${e.connection}:${e.kind}${e.reason ? `:${e.reason}` : ''}`);
    expect(summary).toEqual(
      expect.arrayContaining(['management:open', 'management:handshake:ok', 'extensionHost:open', 'extensionHost:handshake:ok', 'extensionHost:message:extension host ready']),
    );
    expect(summary.indexOf('management:handshake:ok')).toBeLessThan(summary.indexOf('extensionHost:open'));
    expect(wb.timeline.filter((e) => e.kind === 'close' || e.kind === 'error')).toEqual([]);
  });

  it('calls remoteextensionsenvironment.getEnvironmentData and the echo channel', async () => {
    const wb = await open();
    const environment = (await wb.management.call('remoteextensionsenvironment', 'getEnvironmentData', { remoteAuthority: 'x' })) as Record<string, unknown>;
    expect(environment).toMatchObject({ os: 3, userHome: { $mid: 1, scheme: 'file', path: '/home/coder' } });
    expect(await wb.management.call(ECHO_CHANNEL, 'echo', { deep: [1, 'two', null] })).toEqual({ deep: [1, 'two', null] });
    await expect(wb.management.call(ECHO_CHANNEL, 'fail', 'on purpose')).rejects.toMatchObject({ code: 'call.failed', message: 'on purpose' });
    await expect(wb.management.call('no-such-channel', 'x')).rejects.toMatchObject({ code: 'call.failed', message: 'Unknown channel: no-such-channel' });
    expect(wb.timeline.some((e) => e.connection === 'management' && e.kind === 'message' && e.reason === 'initialize')).toBe(true);
  });

  it('round-trips a 64 MiB message on the extension host connection', async () => {
    const wb = await open(0.1);
    await wb.extensionHost!.ready();
    const size = 64 * 1024 * 1024;
    const payload = new Uint8Array(size);
    for (let i = 0; i < size; i += 4096) payload[i] = (i >>> 12) & 0xff;
    payload[size - 1] = 0x5a;
    const started = performance.now();
    const echo = await new Promise<Uint8Array>((resolve) => {
      wb.extensionHost!.onMessage(resolve);
      wb.extensionHost!.send(payload);
    });
    const elapsed = performance.now() - started;
    expect(echo.byteLength).toBe(size);
    expect(Buffer.from(echo).equals(payload)).toBe(true);
    console.log(`64 MiB extension host round trip: ${elapsed.toFixed(0)} ms`);
    // ~1 s on an idle 2-core machine; the margin is for CI running every room's suite at once.
  }, 60_000);

  it('reconnects with the same token after the server drops every socket, losing nothing', async () => {
    const wb = await open();
    await wb.extensionHost!.ready();
    const tokens = wb.tokens();
    let drops = 0;
    const received = await echoes(wb, 300, (i) => {
      if (i % 60 === 30) {
        drops++;
        fx.server.protocol.dropSockets();
      }
    });
    expect(received).toEqual(Array.from({ length: 300 }, (_, i) => `m${i}`));
    expect(wb.tokens()).toEqual(tokens);
    expect(await wb.management.call(ECHO_CHANNEL, 'echo', 'still there')).toBe('still there');
    const ext = wb.timeline.filter((e) => e.connection === 'extensionHost');
    expect(ext.filter((e) => e.kind === 'close').every((e) => e.code === 1006)).toBe(true);
    expect(ext.filter((e) => e.kind === 'close').length).toBeGreaterThanOrEqual(1);
    expect(ext.some((e) => e.kind === 'reconnect' && e.attempt === 1)).toBe(true);
    expect(ext.filter((e) => e.kind === 'handshake' && e.reason?.startsWith('reconnected')).every((e) => e.lost === 0)).toBe(true);
    expect(drops).toBe(5);
  });
});
