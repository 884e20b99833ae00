import { defineConfig, devices } from '@playwright/test';
import { chromiumArgs, chromiumExecutable } from './harness/browser/chromium.ts';
import type { HarnessWorkerOptions } from './harness/playwright/index.ts';
import { codeServerSource } from './harness/real-code-server.ts';

const ci = Boolean(process.env.CI);
// A shard writes a blob report that the workflow's merge job turns into HTML + JUnit.
const sharded = process.argv.some((arg) => arg.startsWith('--shard'));

function reporters(): NonNullable<Parameters<typeof defineConfig>[0]['reporter']> {
  if (!ci) return [['list']];
  if (sharded) return [['list'], ['blob']];
  return [['list'], ['html', { open: 'never' }], ['junit', { outputFile: 'test-results/junit.xml' }]];
}

export default defineConfig<HarnessWorkerOptions>({
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
  projects: [
    // The mock tailnet around mock-code-server, time scaled to milliseconds: the regression suite.
    { name: 'mock', testIgnore: 'real-code-server/**' },
    // A real code-server in its place, in real time, when HARNESS_CODE_SERVER_CMD or
    // HARNESS_CODE_SERVER_URL says where one is (harness/README.md); its specs skip otherwise.
    { name: 'real-code-server', testMatch: 'real-code-server/**/*.spec.ts', timeout: 180_000, use: { codeServer: codeServerSource({}) } },
  ],
});
