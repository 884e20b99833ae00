// The catalog's `ipv6-only-bind`, second half of the fixed column: with a literal
// 127.0.0.1 the fixed proxy cannot reach a [::1]-only SOCKS server either — but it fails fast,
// with a close frame naming the refused address, and /readyz says the same.
import { openHarnessPage } from '../harness/browser/run-scenario.ts';
import { expect, test } from '../harness/playwright/index.ts';

test('ipv6-only-bind with a literal 127.0.0.1: a close frame naming the refused address, never 1006', async ({ page, stack, sockets }) => {
  const info = await stack.applyScenario('ipv6-only-bind', 'fixed', { socksUrl: 'socks5h://127.0.0.1:{port}' });
  const refused = `127.0.0.1:${info.socks.addresses[0]?.port}`;
  await openHarnessPage(page, stack);
  await page.click('#connect-workbench');
  await expect.poll(async () => (await sockets.records()).find((s) => s.code !== undefined)?.code).toBe(1014);
  const first = (await sockets.records()).find((s) => s.code !== undefined);
  expect(first?.reason).toContain(refused);
  const ready = await page.evaluate(async () => {
    const response = await fetch('/readyz');
    return { status: response.status, body: await response.text() };
  });
  expect(ready.status).toBe(503);
  expect(ready.body).toContain(refused);
});
