// The isomorphic client bundled by Vite and run by Chromium's own WebSocket against the server:
// the proof that common/ needs nothing from Node and behaves the same in a page.
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from '@playwright/test';
import { build, type Rolldown } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type ServerHandle } from '../node/server.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const entry = fileURLToPath(new URL('../common/index.ts', import.meta.url));

async function bundleClient(): Promise<string> {
  const output = (await build({
    configFile: false,
    logLevel: 'silent',
    build: { write: false, minify: false, lib: { entry, formats: ['es'], fileName: 'client' } },
  })) as Rolldown.RolldownOutput[] | Rolldown.RolldownOutput;
  const chunk = (Array.isArray(output) ? output[0] : output)?.output[0];
  if (!chunk || chunk.type !== 'chunk') throw new Error('vite produced no chunk');
  return chunk.code;
}

const PAGE = (codeUrl: string, commit: string) => `<script type="module">
import { connectWorkbench } from './client.js';
window.run = async () => {
  const wb = await connectWorkbench({ baseUrl: '${codeUrl}/', WebSocket, commit: '${commit}', timeScale: 0.05 });
  window.wb = wb;
  const env = await wb.management.call('remoteextensionsenvironment', 'getEnvironmentData', {});
  await wb.extensionHost.ready();
  const big = new Uint8Array(1024 * 1024 + 3);
  big[big.length - 1] = 7;
  const echo = await new Promise((resolve) => { wb.extensionHost.onMessage(resolve); wb.extensionHost.send(big); });
  return { os: env.os, echoBytes: echo.byteLength, last: echo[echo.length - 1] };
};
window.afterDrop = async () => ({
  echo: await window.wb.management.call('mock-echo', 'echo', 'after drop'),
  timeline: window.wb.timeline.map((e) => [e.connection, e.kind, e.code ?? null]),
});
</script>`;

let code: ServerHandle;
let page: Server;
let browser: Browser;
let pageUrl = '';

describe.runIf(existsSync(CHROMIUM))('the bundled client in Chromium', () => {
  beforeAll(async () => {
    const bundle = await bundleClient();
    // The page comes from another origin, as the harness page does; code-server trusts it.
    code = await startServer({ timeScale: 0.05, trustedOrigins: ['*'] });
    page = createServer((req, res) => {
      const isScript = req.url === '/client.js';
      res.writeHead(200, { 'content-type': isScript ? 'text/javascript' : 'text/html' });
      res.end(isScript ? bundle : PAGE(code.url, code.commit));
    });
    await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
    pageUrl = `http://127.0.0.1:${(page.address() as { port: number }).port}/`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
    page?.close();
    await code?.close();
  });

  it('connects, calls, round-trips 1 MiB, and reconnects after the server drops its sockets', async () => {
    const tab = await browser.newPage();
    await tab.goto(pageUrl);
    const result = await tab.evaluate(() => (window as unknown as { run(): Promise<unknown> }).run());
    expect(result).toEqual({ os: 3, echoBytes: 1024 * 1024 + 3, last: 7 });
    expect(code.protocol.dropSockets()).toBe(2);
    const after = (await tab.evaluate(() => (window as unknown as { afterDrop(): Promise<unknown> }).afterDrop())) as {
      echo: string;
      timeline: [string, string, number | null][];
    };
    expect(after.echo).toBe('after drop');
    // Chromium reports the server's TCP end as 1006, exactly as with a real code-server.
    expect(after.timeline).toContainEqual(['management', 'close', 1006]);
    expect(after.timeline.filter(([, kind]) => kind === 'reconnect').length).toBeGreaterThanOrEqual(1);
  });
});
