// The 1006 detector must be able to fail: these pin that a socket ended without a close frame
// is seen by the in-page recorder and turns a test red, and that a clean close does not.
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { AbnormalCloseError, assertNoAbnormalClose } from '../harness/browser/recorder.ts';
import { expect, test } from '../harness/playwright/index.ts';
import type { SocketWatch } from '../harness/playwright/index.ts';
import type { Page } from '@playwright/test';

let server: Server;
let origin = '';

test.beforeAll(async () => {
  const wss = new WebSocketServer({ noServer: true });
  server = createServer((_req, res) => res.end('<!doctype html><title>recorder</title>'));
  server.on('upgrade', (req, socket, head) => {
    // '/vanish' ends the TCP socket after the 101 — what code-server does, and what a
    // pass-through proxy forwards; '/refuse' never upgrades; '/clean' sends a close frame.
    if (req.url === '/refuse') return socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (req.url === '/vanish') ws.terminate();
      else ws.close(1000, 'done');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

test.afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function openAndWaitForClose(page: Page, sockets: SocketWatch, path: string) {
  await page.goto(origin);
  await page.evaluate((url) => void new WebSocket(url), `${origin.replace('http', 'ws')}${path}`);
  await expect.poll(async () => (await sockets.records()).at(-1)?.code).toBeDefined();
  return (await sockets.records()).at(-1);
}

test.describe('the recorder sees', () => {
  test.use({ allowAbnormalClose: true });

  test('a socket that vanished after the upgrade as 1006, and the check throws', async ({ page, sockets }) => {
    const record = await openAndWaitForClose(page, sockets, '/vanish');
    expect(record).toMatchObject({ code: 1006, wasClean: false });
    expect(record?.openedAt).toBeDefined();
    expect(() => assertNoAbnormalClose(record ? [record] : [])).toThrow(AbnormalCloseError);
  });

  test('a socket the page closes before it opens as 1006 aborted by the page — and no failure of the path', async ({ page, sockets }) => {
    await page.goto(origin);
    await page.evaluate((url) => new WebSocket(url).close(), `${origin.replace('http', 'ws')}/clean`);
    await expect.poll(async () => (await sockets.records()).at(-1)?.code).toBeDefined();
    const record = (await sockets.records()).at(-1);
    expect(record).toMatchObject({ code: 1006, abortedByPage: true });
    expect(() => assertNoAbnormalClose(record ? [record] : [])).not.toThrow();
  });

  test('a refused upgrade as 1006 that never opened', async ({ page, sockets }) => {
    const record = await openAndWaitForClose(page, sockets, '/refuse');
    expect(record).toMatchObject({ code: 1006 });
    expect(record?.openedAt).toBeUndefined();
  });
});

test.describe('the fixture', () => {
  test('fails a test whose page saw a 1006', async ({ page, sockets }) => {
    // Expected to fail: the fixture's teardown must throw AbnormalCloseError.
    test.fail();
    const record = await openAndWaitForClose(page, sockets, '/vanish');
    expect(record?.code).toBe(1006);
  });

  test('passes a test whose sockets closed with a close frame', async ({ page, sockets }) => {
    const record = await openAndWaitForClose(page, sockets, '/clean');
    expect(record).toMatchObject({ code: 1000, reason: 'done', wasClean: true });
  });
});
