// ESLint for every TypeScript and JavaScript file of the repository (sdk, server, migrations, web,
// scripts, bench, examples). Syntax-only rules (no type information), so a run stays a few seconds.
// Formatting is Prettier's job (.prettierrc.json); nothing here is about layout.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/coverage/**',
      'bench/.peers/**',
      'bench/results/**',
      'sdk/python/**',
      // Generated from docs/openapi.json by scripts/openapi.mjs.
      'web/src/api/schema.ts',
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { ...globals.node } },
    rules: {
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-var': 'error',
      // A closure may read a variable that is assigned once, after the closure is made.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      'no-console': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
    },
  },
  // The boundaries between layers that a syntax check can hold.
  {
    // The evaluator has no dependencies, no I/O and no timers: the server imports it for previews too.
    files: ['sdk/src/core/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^(?!\\./)', message: 'sdk/src/core imports nothing outside itself: no dependencies, no I/O.' }] },
      ],
      'no-restricted-globals': [
        'error',
        ...['setTimeout', 'setInterval', 'setImmediate', 'queueMicrotask', 'fetch', 'process'].map((name) => ({
          name,
          message: 'sdk/src/core has no I/O and no timers.',
        })),
      ],
    },
  },
  {
    // Services emit domain events; only realtime/ turns them into socket.io messages (and the relay,
    // a delivery process of its own).
    files: ['server/src/**/*.ts'],
    ignores: ['server/src/realtime/**', 'server/src/relay/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['socket.io', 'socket.io/*', '@nestjs/websockets', '@nestjs/platform-socket.io'],
              message: 'Only server/src/realtime (and the relay) talks socket.io.',
            },
          ],
        },
      ],
    },
  },
  {
    // Components never call fetch: they use the typed hooks of web/src/api.
    files: ['web/src/**/*.{ts,tsx}'],
    ignores: ['web/src/api/**', 'web/src/test/**', '**/*.test.{ts,tsx}'],
    rules: { 'no-restricted-globals': ['error', { name: 'fetch', message: 'Use a hook from web/src/api; only it calls fetch.' }] },
  },
  {
    // The console runs in a browser, and its hooks follow React's rules.
    files: ['web/src/**/*.{ts,tsx}'],
    ...reactHooks.configs.flat.recommended,
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // The browser tests run in Node; the functions they hand to page.evaluate() run in the page.
    files: ['web/e2e/**'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
);
