// A switch flipped in the page reaches the mock tailnet at once: the next connection sees it.
import { expect, openHarnessPage, test } from '../harness/playwright/index.ts';
import { timing } from '../harness/scenarios/index.ts';
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

test.describe('a front-door switch', () => {
  // The fault sits in front of the proxy: the browser sees the 1006 it causes, and the page names it.
  test.use({ allowAbnormalClose: true });

  test('reaches the hop in front: the next upgrade gets a 302 to a login page, and the page names that cause under the 1006', async ({ page, stack, sockets }) => {
    await stack.applyScenario(null, 'fixed');
    await openHarnessPage(page, stack);
    await page.getByLabel('front end: auth proxy 302 to its login').check();
    await expect.poll(() => stack.info().faults.front.map((f) => f.type)).toEqual(['answer-upgrade']);
    await expect(page.locator('#health-text')).toContainText('front end: auth proxy 302 to its login');
    await page.click('#connect-workbench');
    const refused = page.locator('#timeline-body tr.abnormal').first();
    await expect(refused.locator('.named-cause')).toContainText('302 Found → /oauth2/start');
    await expect(refused.locator('.named-cause')).toContainText('never follows a redirect on a WebSocket handshake');
    expect((await sockets.records()).some((s) => s.code === 1006)).toBe(true);
    await expect(page.locator('#logs .cause').first()).toContainText('302 Found');
    await page.getByLabel('front end: auth proxy 302 to its login').uncheck();
    await expect.poll(() => stack.info().faults.front).toEqual([]);
  });
});

test('background tab: with its timers throttled behind a browser → proxy idle timer, the workbench lives on the pongs to the proxy’s pings', async ({ page, stack, sockets }) => {
  await stack.applyScenario(null, 'fixed');
  await openHarnessPage(page, stack);
  await page.getByLabel('front end: idle timeout 1000 ms, browser → proxy only').check();
  await expect.poll(() => stack.info().faults.front.map((f) => f.name)).toEqual(['ui-idle-up']);
  await page.click('#connect-workbench');
  await expect(pill(page, 1, 'management')).toHaveText('#1 management: connected');
  await page.check('#background-tab');
  // Longer than the idle timeout and the throttle window: the workbench's own KeepAlive waits for a 2.5 s wake-up.
  await page.waitForTimeout(timing.throttleWindowMs);
  await page.uncheck('#background-tab');
  await expect(pill(page, 1, 'management')).toHaveText('#1 management: connected');
  expect((await sockets.records()).filter((s) => s.closedAt !== undefined)).toEqual([]);
  expect(stack.logs().filter((l) => l.source === 'cause')).toEqual([]);
});
