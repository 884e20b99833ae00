import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{common,mock-socks,mock-code-server,proxy,harness,bench}/**/*.test.ts', 'eslint.config.test.ts'],
    // Integration tests open real loopback sockets; a stuck one should fail fast, not hang CI.
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
  },
});
