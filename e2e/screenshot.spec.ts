// The page as a person sees it, kept in docs/harness.png for the README: a workbench living
// through Cloud Run's request timeout (1001, reconnect), the terminal, and the logs.
import { fileURLToPath } from 'node:url';
import { openHarnessPage } from '../harness/browser/run-scenario.ts';
import { expect, test } from './fixtures.ts';

test('the harness page, with a workbench reconnecting across 1001s', async ({ page, stack }) => {
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
  await page.screenshot({ path: fileURLToPath(new URL('../docs/harness.png', import.meta.url)), fullPage: true });
});
