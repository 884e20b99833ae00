import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { AccessRecord } from '../log.ts';
import { startProxy, type ProxyHandle } from '../server.ts';
import { startFixtureStack, tailnetUpstream, type FixtureStack } from '../test/stack.ts';
import { startScriptedUpstream } from '../test/scripted-upstream.ts';
import type { TinySocks } from '../test/tiny-socks.ts';
import { openClient } from '../test/ws-client.ts';

// The upstream here is scripted in the SOCKS server's own socket, so the test knows the moment the
// proxy has handled the upstream's end: the proxy answers a TCP end with its own FIN at once
// (the tunnel is not half-open), and that FIN is the script's 'end'.

type UpstreamBehaviour = 'end-on-next-bytes' | 'never-answer';

interface Scripted {
  socks: TinySocks;
  /** Resolves once the proxy has closed its side of the tunnel (it has handled the upstream's end). */
  proxyClosedTunnel: Promise<void>;
}

let socks: TinySocks | undefined;
let proxy: ProxyHandle | undefined;
afterEach(async () => {
  await proxy?.close();
  await socks?.close();
  proxy = socks = undefined;
});

/** A code-server stand-in behind the SOCKS server: 101, a "ready" message, then `behaviour`. */
async function scriptedUpstream(behaviour: UpstreamBehaviour): Promise<Scripted> {
  let closedTunnel!: () => void;
  const proxyClosedTunnel = new Promise<void>((resolve) => (closedTunnel = resolve));
  socks = await startScriptedUpstream((socket) => {
    socket.once('end', () => closedTunnel());
    // code-server never sends a close frame: it ends TCP on a Disconnect message or a close frame.
    if (behaviour === 'end-on-next-bytes') socket.once('data', () => socket.end());
    else socket.resume();
  });
  return { socks, proxyClosedTunnel };
}

async function proxyFor(scripted: Scripted, records: AccessRecord[], options: { upstreamEndSettleMs?: number; shutdownGraceMs?: number }): Promise<string> {
  proxy = await startProxy({ socksUrl: scripted.socks.url(), upstreamUrl: tailnetUpstream, log: (r) => records.push({ ...r }), ...options });
  return proxy.url.replace(/^http/, 'ws') + '/dev/code/stable-x';
}

describe('closing race: the browser closes while code-server ends its TCP connection', () => {
  it("answers the browser's close with its own code, not 1014 upstream.ended_without_close, when code-server's end (on the Disconnect) is handled before the browser's close frame", async () => {
    // Broke: the workbench sends Disconnect then its close frame; code-server ended TCP on the Disconnect, the proxy handled that end first and sent 1014 (harness: 2 of 24 closes).
    const scripted = await scriptedUpstream('end-on-next-bytes');
    const records: AccessRecord[] = [];
    const client = openClient(await proxyFor(scripted, records, { upstreamEndSettleMs: 10_000 }));
    await client.opened;
    expect((await client.next()).toString()).toBe('ready');
    client.ws.send('Disconnect');
    await scripted.proxyClosedTunnel; // the proxy has handled the end; the browser's close frame is still to come
    client.ws.close(1000, 'window closed');
    expect(await client.closed).toEqual({ code: 1000, reason: '' });
    await expect.poll(() => records.find((r) => r.kind === 'ws')).toMatchObject({ closeBrowser: 1000, closeUpstream: 1006 });
    expect(records.find((r) => r.kind === 'ws')?.cause).toBeUndefined();
  });

  it('answers the browser with its own code when code-server ends TCP on the close frame itself', async () => {
    const scripted = await scriptedUpstream('end-on-next-bytes');
    const client = openClient(await proxyFor(scripted, [], {}));
    await client.opened;
    expect((await client.next()).toString()).toBe('ready');
    client.ws.close(4000, 'reload');
    expect(await client.closed).toEqual({ code: 4000, reason: '' });
  });

  it('still sends 1014 once the settle window passes without a close frame from the browser', async () => {
    const scripted = await scriptedUpstream('end-on-next-bytes');
    const client = openClient(await proxyFor(scripted, [], { upstreamEndSettleMs: 5 }));
    await client.opened;
    expect((await client.next()).toString()).toBe('ready');
    client.ws.send('not a Disconnect: the upstream just goes');
    expect(await client.closed).toEqual({ code: 1014, reason: 'upstream.ended_without_close the upstream ended its connection without a close frame' });
  });

  it('lets go of a closed session whose browser never closes TCP once the proxy shuts down, without waiting for the grace', async () => {
    // The browser socket is kept until the browser closes TCP (so no RST overtakes our close frame); shutdown must not wait on it.
    const scripted = await scriptedUpstream('end-on-next-bytes');
    const records: AccessRecord[] = [];
    const url = new URL(await proxyFor(scripted, records, { shutdownGraceMs: 60_000 }));
    const browser = connect({ host: url.hostname, port: Number(url.port), allowHalfOpen: true });
    browser.on('error', () => {});
    let received = Buffer.alloc(0);
    const sawClose = new Promise<void>((resolve) =>
      browser.on('data', (chunk: Buffer) => {
        received = Buffer.concat([received, chunk]);
        if (received.includes(Buffer.from([0x88, 0x02, 0x03, 0xe8]))) resolve(); // our 1000 echoed back
        else if (received.includes('ready')) browser.write(Buffer.from([0x88, 0x82, 0, 0, 0, 0, 0x03, 0xe8])); // close 1000, zero mask
      }),
    );
    browser.write(`GET ${url.pathname} HTTP/1.1\r\nhost: ${url.host}\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\nsec-websocket-version: 13\r\n\r\n`);
    await sawClose;
    await expect.poll(() => records.length).toBe(1); // the session ended; its browser socket is still open (half-closed)
    await proxy?.close(); // would wait the 60 s grace (past this test's timeout) if it did not destroy the socket
    browser.destroy();
  });

  it('never leaves a closing browser without a close frame (no 1006) when the upstream outlasts the closing grace', async () => {
    const scripted = await scriptedUpstream('never-answer');
    const client = openClient(await proxyFor(scripted, [], { shutdownGraceMs: 20 }));
    await client.opened;
    expect((await client.next()).toString()).toBe('ready');
    client.ws.close(4000, 'reload');
    expect(await client.closed).toEqual({ code: 4000, reason: '' });
  });
});

describe('closing race behind backpressure', () => {
  let stack: FixtureStack | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });

  it('reads a close frame queued behind backpressure when the upstream goes, and answers it with its own code', async () => {
    // A browser paused for a stalled upstream was never resumed once the upstream was gone: its close frame stayed unread.
    stack = await startFixtureStack({ upstreamEndSettleMs: 10_000 });
    const client = openClient(stack.wsUrl('/dev/code/stall'));
    await client.opened;
    const chunk = Buffer.alloc(64 * 1024);
    for (let i = 0; i < 400; i++) client.ws.send(chunk); // 25 MiB towards an upstream that reads nothing
    client.ws.close(4000, 'reload');
    await expect.poll(() => stack?.upstream.sockets.size).toBe(1);
    expect(client.ws.bufferedAmount).toBeGreaterThan(0); // the close frame has not left the browser yet
    stack.upstream.dropAll();
    expect(await client.closed).toEqual({ code: 4000, reason: '' });
  });
});
