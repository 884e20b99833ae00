// Every catalog row under the fixed proxy: the browser sees what the catalog says it must — a
// connection, or a close frame with the documented code — and never a 1006 (the `sockets`
// fixture fails the test on one), unless the fault sits in front of the proxy: no proxy can fix
// that, and the row must reproduce it and name its cause. Against a BYO proxy, rows it cannot be
// judged on are skipped.
import { expect, failedChecks, scenarios, test } from '../harness/playwright/index.ts';

for (const scenario of scenarios) {
  test.describe(() => {
    if (scenario.faultSits === 'in-front') test.use({ allowAbnormalClose: true });

    test(`fixed: ${scenario.id} — ${scenario.expect.fixed.says}`, async ({ runScenario }) => {
      // 64 MiB each way through every hop is real work; the rest waits only on ms-scaled deadlines.
      if (scenario.probe === 'large-messages') test.setTimeout(90_000);
      const run = await runScenario(scenario.id, 'fixed');
      expect(run.verdict.ok, failedChecks(run)).toBe(true);
    });
  });
}
