import { test as base } from '@playwright/test';
import type { BrowserContext, Page } from '@playwright/test';
import {
  RECORD_BINDING,
  RECORDS_GLOBAL,
  SocketLog,
  assertNoAbnormalClose,
  webSocketRecorderScript,
} from '../harness/browser/recorder.ts';
import type { SocketRecord } from '../harness/browser/recorder.ts';
import { startStack } from '../harness/stack.ts';
import type { Stack } from '../harness/stack.ts';

export interface SocketWatch {
  /** Every WebSocket any page of this test's context opened so far (page snapshots merged in). */
  records(): Promise<SocketRecord[]>;
}

interface SocketFixtures {
  /** Legacy-profile specs reproduce 1006 on purpose; everything else fails on one. */
  allowAbnormalClose: boolean;
  sockets: SocketWatch;
  /** Attaches the stack's log lines (and a bring-your-own proxy's output) to each test's report. */
  stackLogs: void;
}

interface StackFixtures {
  /** Bring your own proxy: a command line run instead of ours (one stack per worker and command). */
  proxyCommand: string | undefined;
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

export const test = base.extend<SocketFixtures, StackFixtures>({
  // HARNESS_PROXY_CMD runs the whole suite against another proxy (README: bring your own proxy).
  proxyCommand: [process.env.HARNESS_PROXY_CMD || undefined, { option: true, scope: 'worker' }],
  stack: [
    async ({ proxyCommand }, use) => {
      const stack = await startStack({ proxyCommand });
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
});

export { expect } from '@playwright/test';
