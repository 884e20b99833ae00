// Another team's regression spec: the harness's fixture, their proxy.
import { expect, failedChecks, test } from 'tailnet-harness/playwright';

test.use({ proxyCommand: 'node their-proxy.mjs' });

test('the workbench connects through their proxy', async ({ runScenario }) => {
  const run = await runScenario('ipv4-only-bind');
  expect(run.verdict.ok, failedChecks(run)).toBe(true);
});

test('a row that needs the harness proxy\'s hooks is skipped for their proxy', async ({ runScenario }) => {
  await runScenario('tunnel-idle');
  throw new Error('tunnel-idle ran against their proxy');
});

test('a page that saw a 1006 fails the test', async ({ runScenario }) => {
  test.fail();
  await runScenario('peer-refuses');
});
