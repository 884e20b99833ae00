// A switch flipped in the page reaches the mock tailnet at once: the next connection sees it.
import { expect, openHarnessPage, test } from '../harness/playwright/index.ts';
import type { Page } from '@playwright/test';

/** The status pill of one connection of the n-th workbench this page opened. */
const pill = (page: Page, workbench: number, connection: 'management' | 'extensionHost') =>
  page.locator(`#workbench-status [data-workbench="${workbench}"][data-connection=${connection}]`);

test('a fault switched in the page changes what the next connection sees, and each connection keeps its own pill', async ({ page, stack, sockets }) => {
  await stack.applyScenario(null, 'fixed');
  await openHarnessPage(page, stack);

  await page.click('#connect-workbench');
  await expect(pill(page, 1, 'management')).toHaveText('#1 management: connected');
  await expect(pill(page, 1, 'extensionHost')).toHaveText('#1 extensionHost: connected');

  await page.locator('#peer-state').getByText('peer refusing').click();
  await expect.poll(() => stack.info().peer.state).toBe('refusing');
  await expect(page.locator('#stack-info')).toContainText('refusing');

  await page.click('#connect-workbench');
  await expect(pill(page, 2, 'management')).toContainText('closed 1014');
  // The first workbench's sessions were open before the switch: its pill is still its own.
  await expect(pill(page, 1, 'management')).toHaveText('#1 management: connected');
  const closes = (await sockets.records()).filter((s) => s.code !== undefined && s.code !== 1005 && s.code !== 1000);
  expect(closes.length).toBeGreaterThan(0);
  for (const s of closes) expect(s).toMatchObject({ code: 1014, reason: expect.stringMatching(/general_failure/) as unknown as string });
  await expect(page.locator('#logs')).toContainText('connection was refused');

  await page.locator('#peer-state').getByText('peer up').click();
  await expect.poll(() => stack.info().peer.state).toBe('up');
  await page.click('#disconnect-workbench');
  await expect(page.locator('#workbench-status .pill')).toHaveCount(0);
  await page.click('#connect-workbench');
  await expect(pill(page, 3, 'management')).toHaveText('#3 management: connected');
});

test('a fault checkbox reaches code-server: the next upgrade is refused, and the browser is told why', async ({ page, stack, sockets }) => {
  await stack.applyScenario(null, 'fixed');
  await openHarnessPage(page, stack);
  await page.getByLabel('code-server refuses upgrade (403)').check();
  await expect.poll(() => stack.info().faults.server.map((f) => f.type)).toEqual(['upgrade-refuse']);
  await page.click('#connect-workbench');
  await expect(pill(page, 1, 'management')).toContainText('closed 1014');
  const first = (await sockets.records()).find((s) => s.code !== undefined);
  expect(first).toMatchObject({ code: 1014, reason: expect.stringMatching(/403/) as unknown as string });
  await page.getByLabel('code-server refuses upgrade (403)').uncheck();
  await expect.poll(() => stack.info().faults.server).toEqual([]);
});
