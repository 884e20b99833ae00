// Every catalog row under the legacy knobs reproduces the failure the seed notes describe — a
// harness whose legacy run looks healthy could not detect the failure at all. Legacy runs need
// our proxy's knobs: against a BYO proxy they are skipped.
import { expect, failedChecks, scenarios, test } from '../harness/playwright/index.ts';

test.use({ allowAbnormalClose: true });

for (const scenario of scenarios) {
  test(`legacy: ${scenario.id} — ${scenario.expect.legacy.says}`, async ({ runScenario }) => {
    // 64 MiB each way through every hop is real work; the rest waits only on ms-scaled deadlines.
    if (scenario.probe === 'large-messages') test.setTimeout(90_000);
    const run = await runScenario(scenario.id, 'legacy');
    expect(run.verdict.ok, failedChecks(run)).toBe(true);
  });
}
