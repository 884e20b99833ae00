// The page as a person sees it (docs/harness.png in the README): a healthy tailnet with the
// workbench and the terminal in use, then one fault switched live — the peer goes down while the
// tunnels are cut — and the page showing the coded closes (1014 and why) and the reconnections
// that land once the peer is back: the terminal's while the peer is down, the workbench's — kept
// open by the proxy through the outage — once it is back.
import { fileURLToPath } from 'node:url';
import { openHarnessPage } from '../harness/browser/run-scenario.ts';
import { expect, test } from '../harness/playwright/index.ts';

// The README's copy is rewritten only on request, so a test run leaves the working tree clean.
const readmeCopy = process.env.HARNESS_UPDATE_SCREENSHOT === '1' ? fileURLToPath(new URL('../docs/harness.png', import.meta.url)) : undefined;

test('the harness page: a healthy tailnet, the peer down and back, every socket accounted for', async ({ page, stack, sockets }, testInfo) => {
  await page.setViewportSize({ width: 1440, height: 1000 });
  await stack.applyScenario(null, 'fixed');
  await openHarnessPage(page, stack);
  const management = page.locator('#workbench-status [data-workbench="1"][data-connection=management]');
  const extensionHost = page.locator('#workbench-status [data-workbench="1"][data-connection=extensionHost]');
  const terminalRows = page.locator('#terminal .xterm-rows');

  await page.click('#connect-workbench');
  await expect(management).toHaveText('#1 management: connected');
  await expect(extensionHost).toHaveText('#1 extensionHost: connected');
  await page.click('#check-readiness');
  await expect(page.locator('#probe-output')).toContainText('200');
  await page.click('#connect-terminal');
  await expect(page.locator('#terminal-status')).toHaveText('connected');
  await page.click('#terminal');
  await page.keyboard.type('echo hello\r');
  await expect(terminalRows).toContainText('hello\n$', { useInnerText: true });
  await page.keyboard.type('help\r');
  await expect(terminalRows).toContainText('commands:', { useInnerText: true });

  // The switch a person would flip, then what takes the live sessions down with it: every tunnel
  // reset at its next byte from devbox (mock-socks applies faults to live relays).
  await page.locator('#peer-state').getByText('peer down').click();
  await expect.poll(() => stack.info().peer.state).toBe('down');
  stack.setFaults({ socks: [{ name: 'screenshot-cut', type: 'reset', where: 'downstream', attributes: { afterBytes: 0 } }] });
  // The terminal's tunnel carries nothing until a key is echoed: Enter, and its echo is cut.
  await page.click('#terminal');
  await page.keyboard.press('Enter');
  // The terminal's reconnection attempts meet the peer down: the proxy closes each with 1014 and
  // the cause. The workbench's connections, cut too (its server's KeepAlive is its next byte),
  // stay open: the proxy rides the outage out.
  const closedWith1014 = async (label: string) => (await sockets.records()).filter((s) => s.code === 1014 && (label === 'terminal') === s.url.endsWith('/dev/ws/terminal')).length;
  await expect.poll(() => closedWith1014('terminal')).toBeGreaterThanOrEqual(2);
  expect(await closedWith1014('workbench')).toBe(0);
  stack.setFaults({ socks: [] });
  await page.locator('#peer-state').getByText('peer up').click();
  await expect.poll(() => closedWith1014('workbench')).toBeGreaterThanOrEqual(2);
  await expect(management).toContainText('reconnected');
  await expect(extensionHost).toContainText('reconnected');
  await expect(page.locator('#terminal-status')).toHaveText('connected');
  await expect(terminalRows).toContainText('— reconnected after 1014', { useInnerText: true });

  await expect(page.locator('#logs')).toContainText('ws code /dev/code/');
  // Focus back in the terminal (a solid cursor), and the page scrolled to its top: the header
  // is sticky, and a full-page shot draws it where the page was scrolled to.
  await page.click('#terminal');
  await page.evaluate(() => window.scrollTo(0, 0));
  const shot = await page.screenshot({ path: readmeCopy, fullPage: true });
  await testInfo.attach('harness.png', { body: shot, contentType: 'image/png' });
});
