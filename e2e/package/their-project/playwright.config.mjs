import { defineConfig } from '@playwright/test';
import { harnessLaunchOptions } from 'tailnet-harness/playwright';

export default defineConfig({
  testMatch: '*.spec.mjs',
  workers: 1,
  reporter: [['list'], ['json', { outputFile: 'results.json' }]],
  use: { launchOptions: harnessLaunchOptions() },
});
