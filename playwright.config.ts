import { defineConfig, devices } from '@playwright/test';
import { chromiumArgs, chromiumExecutable } from './harness/browser/chromium.ts';

const ci = Boolean(process.env.CI);
// A shard writes a blob report that the workflow's merge job turns into HTML + JUnit.
const sharded = process.argv.some((arg) => arg.startsWith('--shard'));

function reporters(): NonNullable<Parameters<typeof defineConfig>[0]['reporter']> {
  if (!ci) return [['list']];
  if (sharded) return [['list'], ['blob']];
  return [['list'], ['html', { open: 'never' }], ['junit', { outputFile: 'test-results/junit.xml' }]];
}

export default defineConfig({
  testDir: 'e2e',
  // vitest owns *.test.ts; Playwright only the specs.
  testMatch: '**/*.spec.ts',
  globalSetup: './e2e/global-setup.ts',
  fullyParallel: true,
  // Two cores: one stack + one Chromium per worker keeps both busy without starving the mocks.
  workers: 2,
  forbidOnly: ci,
  retries: ci ? 1 : 0,
  failOnFlakyTests: ci,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: reporters(),
  use: {
    ...devices['Desktop Chrome'],
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      // CHROMIUM_PATH, then /usr/bin/chromium, then Playwright's own download.
      executablePath: chromiumExecutable(),
      args: [...chromiumArgs],
    },
  },
});
