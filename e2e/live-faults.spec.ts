// A switch flipped in the page reaches the mock tailnet at once: the next connection sees it.
import { openHarnessPage } from '../harness/browser/run-scenario.ts';
import { expect, test } from '../harness/playwright/index.ts';

test('a fault switched in the page changes what the next connection sees', async ({ page, stack, sockets }) => {
  await stack.applyScenario(null, 'fixed');
  await openHarnessPage(page, stack);
  const management = page.locator('#workbench-status [data-connection=management]');

  await page.click('#connect-workbench');
  await expect(management).toHaveText('management: connected');

  await page.getByText('peer refusing').click();
  await expect.poll(() => stack.info().peer.state).toBe('refusing');
  await expect(page.locator('#stack-info')).toContainText('refusing');

  await page.click('#connect-workbench');
  await expect(management).toContainText('closed 1014');
  const closes = (await sockets.records()).filter((s) => s.code !== undefined && s.code !== 1005 && s.code !== 1000);
  expect(closes.length).toBeGreaterThan(0);
  for (const s of closes) expect(s).toMatchObject({ code: 1014, reason: expect.stringMatching(/general_failure/) as unknown as string });
  await expect(page.locator('#logs')).toContainText('connection was refused');

  await page.getByText('peer up').click();
  await expect.poll(() => stack.info().peer.state).toBe('up');
  await page.click('#connect-workbench');
  await expect(management).toHaveText('management: connected');
});

test('a fault checkbox reaches code-server: the next upgrade is refused, and the browser is told why', async ({ page, stack, sockets }) => {
  await stack.applyScenario(null, 'fixed');
  await openHarnessPage(page, stack);
  await page.getByLabel('code-server refuses upgrade (403)').check();
  await expect.poll(() => stack.info().faults.server.map((f) => f.type)).toEqual(['upgrade-refuse']);
  await page.click('#connect-workbench');
  await expect(page.locator('#workbench-status [data-connection=management]')).toContainText('closed 1014');
  const first = (await sockets.records()).find((s) => s.code !== undefined);
  expect(first).toMatchObject({ code: 1014, reason: expect.stringMatching(/403/) as unknown as string });
  await page.getByLabel('code-server refuses upgrade (403)').uncheck();
  await expect.poll(() => stack.info().faults.server).toEqual([]);
});
