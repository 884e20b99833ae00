// The Playwright fixtures: one mock tailnet per worker (with our proxy or yours), an in-page
// recorder of every WebSocket that fails any test whose page saw a 1006, and catalog rows as
// one call. Users `test.extend` or use them as they are (`tailnet-harness/playwright`).
import { test as base } from '@playwright/test';
import type { BrowserContext, Page } from '@playwright/test';
import { RECORD_BINDING, RECORDS_GLOBAL, SocketLog, assertNoAbnormalClose, webSocketRecorderScript } from '../browser/recorder.ts';
import type { SocketRecord } from '../browser/recorder.ts';
import { runScenario } from '../browser/run-scenario.ts';
import type { RunOverrides, ScenarioRun } from '../browser/run-scenario.ts';
import type { CodeServerSource } from '../real-code-server.ts';
import { applicability, notApplicableBecause, realCodeServerApplicability, scenarioById } from '../scenarios/index.ts';
import type { Variant } from '../scenarios/index.ts';
import { startStack } from '../stack.ts';
import type { Stack } from '../stack.ts';

export interface SocketWatch {
  /** Every WebSocket any page of this test's context opened so far (page snapshots merged in). */
  records(): Promise<SocketRecord[]>;
}

export interface HarnessWorkerOptions {
  /**
   * Bring your own proxy: a shell command run instead of ours, as the proxy contract says (one
   * stack per worker and command). Default: the HARNESS_PROXY_CMD variable, else ours in-process.
   */
  proxyCommand: string | undefined;
  /** The command serves GET /readyz as the contract describes, so the rows that judge readiness apply. */
  readinessRoute: boolean;
  /**
   * A real code-server instead of the mock (a command serving on $PORT, or a loopback URL); rows
   * that need the mock's own parts are skipped. Default: the mock (the `real-code-server` project
   * sets it from HARNESS_CODE_SERVER_CMD / HARNESS_CODE_SERVER_URL).
   */
  codeServer: CodeServerSource | undefined;
}

export interface HarnessTestOptions {
  /** Legacy runs reproduce 1006 on purpose; everything else fails on one. Default false. */
  allowAbnormalClose: boolean;
}

export interface HarnessFixtures extends HarnessTestOptions {
  sockets: SocketWatch;
  /** Runs a catalog row on this test's page and judges it; skips the test when the row does not apply to the proxy. */
  runScenario: (id: string, variant?: Variant, overrides?: RunOverrides) => Promise<ScenarioRun>;
  /** Attaches the stack's log lines (and a bring-your-own proxy's output) to each test's report. */
  stackLogs: void;
}

export interface HarnessWorkerFixtures extends HarnessWorkerOptions {
  stack: Stack;
}

async function snapshot(context: BrowserContext, log: SocketLog, keyOf: (page: Page) => string): Promise<void> {
  for (const page of context.pages()) {
    const records = await page
      .evaluate((name) => (window as unknown as Record<string, SocketRecord[] | undefined>)[name] ?? [], RECORDS_GLOBAL)
      .catch(() => [] as SocketRecord[]);
    for (const record of records) log.add(keyOf(page), record);
  }
}

export const test = base.extend<HarnessFixtures, HarnessWorkerFixtures>({
  proxyCommand: [process.env.HARNESS_PROXY_CMD || undefined, { option: true, scope: 'worker' }],
  readinessRoute: [false, { option: true, scope: 'worker' }],
  codeServer: [undefined, { option: true, scope: 'worker' }],
  stack: [
    async ({ proxyCommand, codeServer }, use) => {
      const stack = await startStack({ proxyCommand, codeServer });
      await use(stack);
      await stack.close();
    },
    { scope: 'worker', timeout: 60_000 },
  ],
  stackLogs: [
    async ({ stack }, use, testInfo) => {
      await use();
      const lines = stack.logs().map((l) => `${new Date(l.t).toISOString()} ${l.source}: ${l.line}`);
      await testInfo.attach('stack-logs.txt', { body: lines.join('\n'), contentType: 'text/plain' });
      const output = stack.proxyOutput();
      if (output.length > 0) await testInfo.attach('proxy-output.txt', { body: output.join('\n'), contentType: 'text/plain' });
    },
    { auto: true },
  ],
  allowAbnormalClose: [false, { option: true }],
  sockets: [
    async ({ context, allowAbnormalClose }, use, testInfo) => {
      const log = new SocketLog();
      const pageKeys = new WeakMap<Page, string>();
      let pages = 0;
      const keyOf = (page: Page): string => {
        let key = pageKeys.get(page);
        if (!key) pageKeys.set(page, (key = `page${++pages}`));
        return key;
      };
      await context.exposeBinding(RECORD_BINDING, ({ page }, record: SocketRecord) => log.add(keyOf(page), record));
      await context.addInitScript({ content: webSocketRecorderScript });
      const watch: SocketWatch = {
        records: async () => {
          await snapshot(context, log, keyOf);
          return log.all();
        },
      };
      await use(watch);
      const records = await watch.records();
      await testInfo.attach('websockets.json', { body: JSON.stringify(records, null, 2), contentType: 'application/json' });
      if (!allowAbnormalClose) assertNoAbnormalClose(records);
    },
    { auto: true },
  ],
  runScenario: async ({ stack, page, sockets, proxyCommand, readinessRoute }, use, testInfo) => {
    await use(async (id, variant = 'fixed', overrides = {}) => {
      const scenario = scenarioById(id);
      const fits = applicability(scenario, variant, { ours: proxyCommand === undefined, readinessRoute: proxyCommand === undefined || readinessRoute });
      if (!fits.applicable) testInfo.skip(true, `${id} (${variant}) is not applicable to this proxy: ${notApplicableBecause(fits)}`);
      const real = stack.info().codeServer.kind === 'real' ? realCodeServerApplicability(scenario) : { applicable: true as const };
      if (!real.applicable) testInfo.skip(true, `${id} does not apply to a real code-server: ${real.why}`);
      const run = await runScenario(stack, page, scenario, variant, () => sockets.records(), overrides);
      const { checks } = run.verdict;
      await testInfo.attach('verdict.json', { body: JSON.stringify({ checks, result: run.result }, null, 2), contentType: 'application/json' });
      return run;
    });
  },
});

export { expect } from '@playwright/test';
