// Every catalog row that can judge a real code-server, fixed profile, against the one configured
// (HARNESS_CODE_SERVER_CMD or HARNESS_CODE_SERVER_URL), in real time: the mock client's probes use
// only what any code-server serves (its handshake, getEnvironmentData, the extension host's start).
import { realCodeServerApplicability } from '../../harness/scenarios/index.ts';
import { expect, failedChecks, scenarios, test } from '../../harness/playwright/index.ts';

test.skip(({ codeServer }) => codeServer === undefined, 'no real code-server configured: set HARNESS_CODE_SERVER_CMD or HARNESS_CODE_SERVER_URL (harness/README.md, "Against a real code-server")');

for (const scenario of scenarios.filter((s) => realCodeServerApplicability(s).applicable)) {
  test.describe(() => {
    // As in scenarios-fixed.spec.ts: a fault in front of the proxy is reproduced and named, 1006 included.
    if (scenario.faultSits === 'in-front') test.use({ allowAbnormalClose: true });

    test(`real code-server, fixed: ${scenario.id} — ${scenario.expect.fixed.says}`, async ({ runScenario }) => {
      const run = await runScenario(scenario.id, 'fixed');
      expect(run.verdict.ok, failedChecks(run)).toBe(true);
    });
  });
}
