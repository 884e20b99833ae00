// The catalog's `upstream-drops`: code-server ends the TCP socket mid-session; the proxy turns
// that into a close frame, the workbench reconnects with its token, and the session's replay
// delivers every message that was in flight — none lost, none twice.
import { expect, failedChecks, test } from '../harness/playwright/index.ts';

test('reconnection after upstream-drops loses no message', async ({ runScenario }) => {
  const run = await runScenario('upstream-drops');
  expect(run.verdict.ok, failedChecks(run)).toBe(true);
  const wb = run.result.workbench;
  expect(wb?.reconnects).toBeGreaterThanOrEqual(1);
  // Traffic really was in flight across the drop, so "lost 0" means something.
  expect(wb?.sentBeforeDrop ?? 0).toBeGreaterThan(0);
  expect(wb?.lost).toBe(0);
  const drop = run.sockets.find((s) => s.closedAt !== undefined);
  expect(drop?.code).toBe(1014);
  expect(drop?.reason).toMatch(/upstream/);
});
