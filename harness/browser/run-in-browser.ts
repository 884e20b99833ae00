// One catalog row in a fresh browser context: the recorder installed before the page loads, HTTP
// errors collected, the context closed before the next row restarts the proxy (so no page sees
// that restart). Shared by `repro` and `check`.
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import type { Variant, Scenario } from '../scenarios/index.ts';
import type { Stack } from '../stack.ts';
import { chromiumArgs, chromiumExecutable } from './chromium.ts';
import { RECORDS_GLOBAL, webSocketRecorderScript } from './recorder.ts';
import type { SocketRecord } from './recorder.ts';
import { runScenario } from './run-scenario.ts';
import type { ScenarioRun } from './run-scenario.ts';

export interface HttpError {
  url: string;
  status: number | string;
}

export class BrowserLaunchError extends Error {
  readonly code = 'browser.launch_failed';
}

/** Headless Chromium: CHROMIUM_PATH, /usr/bin/chromium, or Playwright's own download. */
export async function launchChromium(): Promise<Browser> {
  try {
    return await chromium.launch({ executablePath: chromiumExecutable(), args: [...chromiumArgs] });
  } catch (error) {
    const first = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    throw new BrowserLaunchError(`Chromium did not start (${first}); install it (apt-get install chromium, or npx playwright install chromium) or set CHROMIUM_PATH`);
  }
}

export async function runInBrowser(browser: Browser, stack: Stack, scenario: Scenario, variant: Variant): Promise<{ run: ScenarioRun; httpErrors: HttpError[] }> {
  const context = await browser.newContext();
  await context.addInitScript({ content: webSocketRecorderScript });
  const page = await context.newPage();
  const httpErrors: HttpError[] = [];
  page.on('response', (response) => {
    if (response.status() >= 400) httpErrors.push({ url: response.url(), status: response.status() });
  });
  page.on('requestfailed', (request) => httpErrors.push({ url: request.url(), status: request.failure()?.errorText ?? 'failed' }));
  try {
    const run = await runScenario(stack, page, scenario, variant, () =>
      page.evaluate((name) => (window as unknown as Record<string, SocketRecord[] | undefined>)[name] ?? [], RECORDS_GLOBAL),
    );
    return { run, httpErrors };
  } finally {
    await context.close();
  }
}
