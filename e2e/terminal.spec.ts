// The terminal WebSocket through the same path (the catalog's `terminal`), typed into the
// page's xterm like a person would. The rows are read back from xterm's buffer (what is drawn,
// scrollback included), so a line written over another one shows as a garbled row.
import type { Page } from '@playwright/test';
import { openHarnessPage } from '../harness/browser/run-scenario.ts';
import { expect, test } from '../harness/playwright/index.ts';

const GREETING = 'mock-code-server terminal. Type "help".';

/** xterm's buffer as text, one string per row, trailing blanks trimmed. */
async function terminalRows(page: Page): Promise<string[]> {
  const rows = await page.evaluate(() => window.harnessPage?.terminalRows?.());
  if (!rows) throw new Error('the page does not expose its terminal rows (window.harnessPage.terminalRows)');
  return rows.map((row) => row.trimEnd()).filter((row) => row !== '');
}

/** Each shell greeting sits alone on its row, at column 0 — never after a prompt or a half-typed line. */
function expectGreetingsOnTheirOwnRows(rows: string[]): void {
  for (const row of rows.filter((r) => r.includes(GREETING))) expect(row, `row ${JSON.stringify(row)} in\n${rows.join('\n')}`).toBe(GREETING);
}

test('the terminal echoes what is typed into xterm, each line on its own row', async ({ page, stack, sockets }) => {
  await stack.applyScenario('terminal', 'fixed');
  await openHarnessPage(page, stack);
  await page.click('#connect-terminal');
  await expect(page.locator('#terminal-status')).toHaveText('connected');
  await page.click('#terminal');
  await page.keyboard.type('echo typed-through-the-tailnet\r');
  // The prompt at column 0, the typed line echoed on it, the output on the next row, a new prompt.
  // Polled whole: the shell's first prompt is already a last row of '$' before the echo comes back.
  await expect.poll(() => terminalRows(page)).toEqual([GREETING, '$ echo typed-through-the-tailnet', 'typed-through-the-tailnet', '$']);
  const terminalSockets = (await sockets.records()).filter((s) => s.url.endsWith('/dev/ws/terminal'));
  expect(terminalSockets).toHaveLength(1);
  expect(terminalSockets[0]?.openedAt).toBeDefined();
});

test('a new connection after a coded close starts on a fresh row, and typing works in it', async ({ page, stack, sockets }) => {
  await stack.applyScenario('terminal', 'fixed');
  await openHarnessPage(page, stack);
  await page.click('#connect-terminal');
  await expect(page.locator('#terminal-status')).toHaveText('connected');
  await page.click('#terminal');
  // Half a command on the line when the connection goes: the next shell must not print after it.
  await page.keyboard.type('echo never-sent');
  await expect.poll(async () => (await terminalRows(page)).at(-1)).toBe('$ echo never-sent');

  await page.locator('#peer-state').getByText('peer down').click();
  await expect.poll(() => stack.info().peer.state).toBe('down');
  await page.click('#connect-terminal');
  await expect.poll(async () => (await sockets.records()).some((s) => s.code === 1014)).toBe(true);
  await page.locator('#peer-state').getByText('peer up').click();
  await expect(page.locator('#terminal-status')).toHaveText('connected');
  await expect.poll(async () => (await terminalRows(page)).filter((r) => r === GREETING)).toHaveLength(2);

  await page.click('#terminal');
  await page.keyboard.type('echo after-the-reconnect\r');
  // Waits for the command's output, not for a last row of '$': the new shell's prompt is one already.
  await expect.poll(async () => (await terminalRows(page)).slice(-3)).toEqual(['$ echo after-the-reconnect', 'after-the-reconnect', '$']);
  const rows = await terminalRows(page);
  expectGreetingsOnTheirOwnRows(rows);
  expect(rows.slice(0, 2)).toEqual([GREETING, '$ echo never-sent']);
  expect(rows[2]).toMatch(/^— reconnected .*1014.* —$/);
  expect(rows.slice(3)).toEqual([GREETING, '$ echo after-the-reconnect', 'after-the-reconnect', '$']);
});

test('reconnections across Cloud Run request timeouts (1001) each start on a fresh row', async ({ page, stack }) => {
  await stack.applyScenario('request-timeout', 'fixed');
  await openHarnessPage(page, stack);
  await page.click('#connect-terminal');
  // The proxy closes every connection at its lifetime; the page comes straight back each time.
  await expect.poll(async () => (await terminalRows(page)).filter((r) => r.includes(GREETING)).length).toBeGreaterThanOrEqual(3);
  const rows = await terminalRows(page);
  expectGreetingsOnTheirOwnRows(rows);
  for (const row of rows.filter((r) => r.startsWith('— '))) expect(row).toMatch(/^— (reconnected .*1001.*|new session) —$/);
});
