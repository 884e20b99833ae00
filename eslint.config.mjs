// Typed linting: no-floating-promises matters here, since a dropped promise in a socket
// handler is exactly how a proxy loses a close frame.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

/** The rooms that never import one another's code (common/ is the shared room every one may import). */
const rooms = ['proxy', 'mock-socks', 'mock-code-server', 'harness'];
const roomGlobs = (room) => rooms.filter((other) => other !== room).map((other) => `**/${other}/**`);
const otherRooms = (room) => ({ group: roomGlobs(room), message: `${room} imports no other room (their shared facts live in common/)` });
const nodeOnly = { group: ['node:*', 'ws', 'socks'], message: 'browser-side code: no Node modules' };
const proxyTooling = ['proxy/legacy/**', 'proxy/soak/**', 'proxy/test/**', 'proxy/**/*.test.ts'];

/**
 * The soak drives the proxy through mock-socks's faults and a flapping peer, thousands of sessions
 * at a time: the one proxy file that imports a mock (through its public entry point, index.ts).
 */
const proxyFilesDrivingMocks = ['proxy/soak/run.ts'];

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
  // Room boundaries (no-restricted-imports; a later block replaces the rule's options for the files
  // it matches, so each file falls in one block). eslint-boundaries.test.ts shows each one fires.
  {
    files: ['mock-socks/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [otherRooms('mock-socks')] }] },
  },
  {
    files: ['mock-code-server/**/*.ts'],
    ignores: ['mock-code-server/common/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [otherRooms('mock-code-server')] }] },
  },
  {
    // The isomorphic client: the page loads it.
    files: ['mock-code-server/common/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [otherRooms('mock-code-server'), nodeOnly] }] },
  },
  {
    files: ['harness/page/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [nodeOnly] }] },
  },
  {
    // The shared room: every room imports it, so it imports nothing — no other room, no package, no Node module.
    files: ['common/**/*.ts'],
    ignores: ['common/**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: '^(?!\\./)', message: 'common/ imports only its own files: every room (and the browser page) imports it' }] }] },
  },
  {
    files: ['common/**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: '^\\.\\./', message: 'common/ imports no other room' }] }] },
  },
  {
    // The deployable proxy: the legacy reproductions, its test tooling and the mocks stay out of it (proxy/bundle.test.ts checks the bundle too).
    files: ['proxy/**/*.ts'],
    ignores: proxyTooling,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'ws', message: 'the deployed proxy has no runtime dependency' }, { name: 'socks', message: 'the deployed proxy has no runtime dependency' }],
          patterns: [{ group: ['**/legacy/**', '**/soak/**', '**/test/**', ...roomGlobs('proxy')], message: 'the deployed proxy imports only its own product files and common/' }],
        },
      ],
    },
  },
  {
    // The proxy's tests and tooling: the mocks and the harness are reached from the harness's tests, not from here.
    files: proxyTooling,
    ignores: proxyFilesDrivingMocks,
    rules: { 'no-restricted-imports': ['error', { patterns: [otherRooms('proxy')] }] },
  },
  { files: ['**/*.mjs'], languageOptions: { globals: { ...globals.node } } },
);
