// The page as a person sees it (docs/harness.png in the README): a workbench living
// through Cloud Run's request timeout (1001, reconnect), the terminal, and the logs.
import { fileURLToPath } from 'node:url';
import { openHarnessPage } from '../harness/browser/run-scenario.ts';
import { expect, test } from './fixtures.ts';

// The README's copy is rewritten only on request, so a test run leaves the working tree clean.
const readmeCopy = process.env.HARNESS_UPDATE_SCREENSHOT === '1' ? fileURLToPath(new URL('../docs/harness.png', import.meta.url)) : undefined;

test('the harness page, with a workbench reconnecting across 1001s', async ({ page, stack }, testInfo) => {
  await page.setViewportSize({ width: 1440, height: 1000 });
  await stack.applyScenario('request-timeout', 'fixed');
  await openHarnessPage(page, stack);
  await page.selectOption('#scenario-select', 'request-timeout');
  await page.click('#connect-terminal');
  await expect(page.locator('#terminal-status')).toHaveText('connected');
  await page.click('#terminal');
  await page.keyboard.type('echo hello from devbox.tail1234.ts.net\r');
  await page.click('#connect-workbench');
  await expect(page.locator('#timeline-body tr[data-code="1001"]').first()).toBeVisible();
  await expect(page.locator('#workbench-status [data-connection=management]')).toContainText('reconnected');
  await page.click('#check-readiness');
  await expect(page.locator('#probe-output')).toContainText('200');
  await expect(page.locator('#logs')).toContainText('ws code /dev/code/');
  const shot = await page.screenshot({ path: readmeCopy, fullPage: true });
  await testInfo.attach('harness.png', { body: shot, contentType: 'image/png' });
});
