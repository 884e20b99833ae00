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
  { files: ['**/*.mjs'], languageOptions: { globals: { ...globals.node } } },
);
