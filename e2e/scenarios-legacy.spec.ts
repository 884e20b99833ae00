// Every row of specs/scenarios.md under the legacy knobs reproduces the failure the seed notes
// describe — a harness whose legacy run looks healthy could not detect the failure at all.
import { scenarios } from '../harness/scenarios/index.ts';
import { expect, test } from './fixtures.ts';
import { failedChecks, runAndAttach } from './scenario-run.ts';

test.use({ allowAbnormalClose: true });

for (const scenario of scenarios) {
  test(`legacy: ${scenario.id} — ${scenario.expect.legacy.says}`, async ({ stack, page, sockets }, testInfo) => {
    // 64 MiB each way through every hop is real work; the rest waits only on ms-scaled deadlines.
    if (scenario.probe === 'large-messages') test.setTimeout(90_000);
    const run = await runAndAttach(stack, page, sockets, scenario, 'legacy', testInfo);
    expect(run.verdict.ok, failedChecks(run)).toBe(true);
  });
}
