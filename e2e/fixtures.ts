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

export interface SocketWatch {
  /** Every WebSocket any page of this test's context opened so far (page snapshots merged in). */
  records(): Promise<SocketRecord[]>;
}

interface SocketFixtures {
  /** Legacy-profile specs reproduce 1006 on purpose; everything else fails on one. */
  allowAbnormalClose: boolean;
  sockets: SocketWatch;
}

async function snapshot(context: BrowserContext, log: SocketLog, keyOf: (page: Page) => string): Promise<void> {
  for (const page of context.pages()) {
    const records = await page
      .evaluate((name) => (window as unknown as Record<string, SocketRecord[] | undefined>)[name] ?? [], RECORDS_GLOBAL)
      .catch(() => [] as SocketRecord[]);
    for (const record of records) log.add(keyOf(page), record);
  }
}

export const test = base.extend<SocketFixtures>({
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
