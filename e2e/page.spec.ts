// The page as a person reads it: its header says what is in force (never "healthy" while a fault
// fails every connection), the socket table stays bounded and can be cleared, and nothing
// spills past a 900 px window.
import { expect, openHarnessPage, test } from '../harness/playwright/index.ts';

test('the header health follows the faults in force, live', async ({ page, stack }) => {
  await stack.applyScenario(null, 'fixed');
  await openHarnessPage(page, stack);
  const health = page.locator('#health');
  await expect(health).toHaveText('healthy tailnet');
  await expect(health).toHaveClass(/\bok\b/);

  await page.getByLabel('SOCKS blackhole').check();
  await expect(health).toHaveText('in force: SOCKS blackhole');
  await expect(health).toHaveClass(/\bbad\b/);
  // A change made elsewhere (the control API, another tab) reaches the header too.
  stack.setFaults({ peerState: 'down' });
  await expect(health).toHaveText('in force: peer down · SOCKS blackhole');

  await page.getByLabel('SOCKS blackhole').uncheck();
  stack.setFaults({ peerState: 'up' });
  await expect(health).toHaveText('healthy tailnet');
});

test('Clear empties the socket table of closed sockets and keeps the open ones', async ({ page, stack }) => {
  await stack.applyScenario(null, 'fixed');
  await openHarnessPage(page, stack);
  // The terminal's socket stays open throughout; the workbench's are refused (1014) and retried.
  await page.click('#connect-terminal');
  await expect(page.locator('#terminal-status')).toHaveText('connected');
  stack.setFaults({ server: [{ type: 'upgrade-refuse', attributes: { status: 403 } }] });
  await page.click('#connect-workbench');
  await expect(page.locator('#timeline-body td.code').filter({ hasText: '1014' }).first()).toBeVisible();
  // Clicked and read in one turn of the page: a retry closing a moment later is a new row, not a leftover.
  const left = await page.evaluate(() => {
    document.querySelector<HTMLButtonElement>('#clear-timeline')?.click();
    return [...document.querySelectorAll('#timeline-body tr')].map((row) => ({ code: row.querySelector('td.code')?.textContent, terminal: row.textContent?.includes('/dev/ws/terminal') }));
  });
  // Whatever is still open or connecting stays (the terminal among them); every closed row is gone.
  expect(left.filter((row) => row.terminal)).toEqual([{ code: 'open', terminal: true }]);
  for (const row of left) expect(['open', 'connecting…']).toContain(row.code);
  stack.setFaults({ server: [] });
});

test('at 900 px nothing spills past the window', async ({ page, stack }, testInfo) => {
  await page.setViewportSize({ width: 900, height: 1000 });
  await stack.applyScenario(null, 'fixed');
  await openHarnessPage(page, stack);
  await page.click('#connect-workbench');
  await expect(page.locator('[data-workbench="1"][data-connection=management]')).toHaveText('#1 management: connected');
  await page.click('#connect-terminal');
  await expect(page.locator('#terminal-status')).toHaveText('connected');
  const overflow = await page.evaluate(() => ({
    page: document.documentElement.scrollWidth - window.innerWidth,
    cards: [...document.querySelectorAll('.card, .bar')].filter((card) => card.getBoundingClientRect().right > window.innerWidth + 0.5).map((card) => card.id || card.className),
  }));
  expect(overflow).toEqual({ page: 0, cards: [] });
  await testInfo.attach('harness-900px.png', { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' });
});

test('Run doctor walks the mock tailnet as it is: every hop passes, then the failing hop is named', async ({ page, stack }) => {
  await stack.applyScenario(null, 'fixed');
  await openHarnessPage(page, stack);
  const output = page.locator('#probe-output');
  await page.click('#run-doctor');
  await expect(output).toContainText('CONNECT');
  await expect(output).not.toHaveClass(/\bfailed\b/);
  stack.setFaults({ peerState: 'refusing' });
  await page.click('#run-doctor');
  await expect(output).toContainText('diagnosis: peer-refuses');
  await expect(output).toHaveClass(/\bfailed\b/);
  stack.setFaults({ peerState: 'up' });
});
