// The terminal WebSocket through the same path (specs/scenarios.md `terminal`), typed into the
// page's xterm like a person would.
import { openHarnessPage } from '../harness/browser/run-scenario.ts';
import { expect, test } from './fixtures.ts';

test('the terminal echoes what is typed into xterm, through the proxy and the tailnet', async ({ page, stack, sockets }) => {
  await stack.applyScenario('terminal', 'fixed');
  await openHarnessPage(page, stack);
  await page.click('#connect-terminal');
  await expect(page.locator('#terminal-status')).toHaveText('connected');
  await page.click('#terminal');
  await page.keyboard.type('echo typed-through-the-tailnet\r');
  await expect(page.locator('#terminal .xterm-rows')).toContainText('typed-through-the-tailnet\n$', { useInnerText: true });
  const terminalSockets = (await sockets.records()).filter((s) => s.url.endsWith('/dev/ws/terminal'));
  expect(terminalSockets).toHaveLength(1);
  expect(terminalSockets[0]?.openedAt).toBeDefined();
});
