// `npm run test:package`: the package as another team gets it — packed, installed outside this
// repository, run. Its own config: it is slow (a build and a whole check) and runs after e2e.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['e2e/package/**/*.test.ts'],
    root: new URL('../..', import.meta.url).pathname,
    pool: 'forks',
  },
});
