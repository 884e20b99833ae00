// The catalog's `slow-handshake`, first half of the fixed column: a delay D under the
// proxy's handshake deadline costs D and nothing else — the workbench connects.
import { openHarnessPage } from '../harness/browser/run-scenario.ts';
import { timing } from '../harness/scenarios/index.ts';
import { expect, test } from '../harness/playwright/index.ts';

test('slow-handshake with D under the greeting deadline: the workbench connects', async ({ page, stack }) => {
  await stack.applyScenario('slow-handshake', 'fixed');
  const delayMs = Math.round(timing.socksGreetingMs / 2);
  stack.setFaults({ socks: [{ type: 'slow-handshake', where: 'greeting', attributes: { delayMs } }] });
  await openHarnessPage(page, stack);
  const started = Date.now();
  const result = await page.evaluate(
    (deadlineMs) => window.harnessPage?.run({ probe: 'workbench', until: 'connected', deadlineMs }),
    timing.probeDeadlineMs,
  );
  expect(result?.workbench?.connected, result?.workbench?.events.join('\n')).toBe(true);
  expect(result?.sockets.filter((s) => s.code !== undefined)).toEqual([]);
  // Both connections waited out the delay (each does its own SOCKS greeting).
  expect(Date.now() - started).toBeGreaterThanOrEqual(delayMs * 2);
});
