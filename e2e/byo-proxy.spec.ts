// Bring your own proxy: the harness runs a second, independent proxy — http-proxy-3 +
// socks-proxy-agent, the "usual Node stack" (harness/examples/http-proxy-3-proxy.ts) — giving it
// PORT, SOCKS5_PROXY, UPSTREAM_URL and TERMINAL_URL, and the same suite runs against it.
import { fileURLToPath } from 'node:url';
import { scenarioById } from '../harness/scenarios/index.ts';
import { expect, test } from './fixtures.ts';
import { failedChecks, runAndAttach } from './scenario-run.ts';

const example = fileURLToPath(new URL('../harness/examples/http-proxy-3-proxy.ts', import.meta.url));
test.use({ proxyCommand: `"${process.execPath}" --import tsx "${example}"` });

test('a healthy tailnet through the BYO proxy: the workbench connects and the terminal echoes', async ({ stack, page, sockets }, testInfo) => {
  expect(stack.info().proxy).toMatchObject({ kind: 'command' });
  for (const id of ['origin-mismatch', 'terminal']) {
    const run = await runAndAttach(stack, page, sockets, scenarioById(id), 'fixed', testInfo);
    expect(run.verdict.ok, failedChecks(run)).toBe(true);
  }
  // Its own output is kept with the report (stackLogs attaches proxy-output.txt).
  expect(stack.proxyOutput().join('\n')).toMatch(/listening on 127\.0\.0\.1:\d+/);
});

test.describe('against a proxy without a close-code policy', () => {
  test.use({ allowAbnormalClose: true });

  test('the suite catches the 1006 the BYO proxy lets through on peer-refuses', async ({ stack, page, sockets }, testInfo) => {
    const run = await runAndAttach(stack, page, sockets, scenarioById('peer-refuses'), 'fixed', testInfo);
    // The fixed expectation (a 1014 close frame) is what this proxy cannot give: the check fails.
    expect(run.verdict.ok).toBe(false);
    expect(run.sockets.some((s) => s.code === 1006)).toBe(true);
  });
});
