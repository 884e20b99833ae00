// Every row of specs/scenarios.md under the fixed proxy: the browser sees what the catalog says
// it must — a connection, or a close frame with the documented code — and never a 1006 (the
// `sockets` fixture fails the test on one).
import { scenarios } from '../harness/scenarios/index.ts';
import { expect, test } from './fixtures.ts';
import { failedChecks, runAndAttach } from './scenario-run.ts';

for (const scenario of scenarios) {
  test(`fixed: ${scenario.id} — ${scenario.expect.fixed.says}`, async ({ stack, page, sockets }, testInfo) => {
    // 64 MiB each way through every hop is real work; the rest waits only on ms-scaled deadlines.
    if (scenario.probe === 'large-messages') test.setTimeout(90_000);
    const run = await runAndAttach(stack, page, sockets, scenario, 'fixed', testInfo);
    expect(run.verdict.ok, failedChecks(run)).toBe(true);
  });
}
