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
