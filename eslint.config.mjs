// Typed linting: no-floating-promises matters here, since a dropped promise in a socket
// handler is exactly how a proxy loses a close frame.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'harness/page/dist/**', 'test-results/**', 'playwright-report/**', 'blob-report/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // Code the browser page loads (and the isomorphic codecs) must not reach for Node built-ins.
    files: ['mock-code-server/common/**/*.ts', 'harness/page/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['node:*', 'ws', 'socks'], message: 'browser-side code: no Node modules' }] }],
    },
  },
  {
    // The deployable proxy: the legacy reproductions, its test tooling and the mocks stay out of it (proxy/bundle.test.ts checks the bundle too).
    files: ['proxy/**/*.ts'],
    ignores: ['proxy/legacy/**', 'proxy/soak/**', 'proxy/test/**', 'proxy/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'ws', message: 'the deployed proxy has no runtime dependency' }, { name: 'socks', message: 'the deployed proxy has no runtime dependency' }],
          patterns: [{ group: ['**/legacy/**', '**/soak/**', '**/test/**', '**/mock-socks/**', '**/mock-code-server/**', '**/harness/**'], message: 'the deployed proxy imports only its own product files' }],
        },
      ],
    },
  },
  { files: ['**/*.mjs'], languageOptions: { globals: { ...globals.node } } },
);
