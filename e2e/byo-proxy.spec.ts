// Bring your own proxy: the harness runs a second, independent proxy — http-proxy-3 +
// socks-proxy-agent, the usual Node stack (harness/examples/http-proxy-3-proxy.ts) — as the proxy
// contract says, and the same fixtures judge it.
import { fileURLToPath } from 'node:url';
import { expect, failedChecks, test } from '../harness/playwright/index.ts';

const example = fileURLToPath(new URL('../harness/examples/http-proxy-3-proxy.ts', import.meta.url));
test.use({ proxyCommand: `"${process.execPath}" --import tsx "${example}"` });

test('a healthy tailnet through the BYO proxy: the workbench connects and the terminal echoes', async ({ stack, runScenario }) => {
  expect(stack.info().proxy).toMatchObject({ kind: 'command' });
  for (const id of ['origin-mismatch', 'terminal']) {
    const run = await runScenario(id);
    expect(run.verdict.ok, failedChecks(run)).toBe(true);
  }
  // Its own output is kept with the report (stackLogs attaches proxy-output.txt).
  expect(stack.proxyOutput().join('\n')).toMatch(/listening on 127\.0\.0\.1:\d+/);
});

test.describe('a row the contract marks not applicable to a BYO proxy', () => {
  // The test below is skipped by the fixture (it shows as skipped); were it run, it would fail.
  // eslint-disable-next-line no-empty-pattern -- Playwright wants a destructuring pattern, and this hook needs no fixture
  test.afterEach(({}, testInfo) => {
    expect(testInfo.status).toBe('skipped');
    expect(testInfo.annotations.map((a) => a.description).join()).toMatch(/needs our-hooks/);
  });

  test('tunnel-idle needs our proxy\'s hooks: skipped, never judged', async ({ runScenario }) => {
    await runScenario('tunnel-idle');
    throw new Error('tunnel-idle ran against a BYO proxy');
  });
});

test.describe('against a proxy without a close-code policy', () => {
  test.use({ allowAbnormalClose: true });

  test('the suite catches the 1006 the BYO proxy lets through on peer-refuses', async ({ runScenario }) => {
    const run = await runScenario('peer-refuses');
    // The fixed expectation (a 1014 close frame) is what this proxy cannot give: the check fails.
    expect(run.verdict.ok).toBe(false);
    expect(run.sockets.some((s) => s.code === 1006)).toBe(true);
  });
});
