#!/usr/bin/env node
// Lints the repository (`npm run lint`; `npm test` runs it first): ESLint (eslint.config.js) and
// Prettier (.prettierrc.json, .prettierignore) over the TypeScript and JavaScript, then the Python
// SDK's checks when scripts/lint-python.mjs exists. Every check runs, side by side; the exit status
// is non-zero when any found something. --fix lets ESLint and Prettier rewrite what they can first.
// Both keep a content-keyed cache in node_modules/.cache, so an unchanged tree costs a few seconds.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
if (args.some((arg) => arg !== '--fix')) {
  process.stderr.write('usage: node scripts/lint.mjs [--fix]\n');
  process.exit(2);
}
const fix = args.includes('--fix');

const require = createRequire(import.meta.url);
const binOf = (pkg, name) => {
  const manifest = require.resolve(`${pkg}/package.json`);
  const { bin } = JSON.parse(fs.readFileSync(manifest, 'utf8'));
  return path.join(path.dirname(manifest), typeof bin === 'string' ? bin : bin[name]);
};
const cache = (tool) => ['--cache', '--cache-strategy', 'content', '--cache-location', path.join(root, 'node_modules/.cache', tool, '.cache')];

const checks = [
  { name: 'eslint', script: binOf('eslint', 'eslint'), args: ['--max-warnings', '0', ...cache('eslint'), ...(fix ? ['--fix'] : []), '.'] },
  {
    name: 'prettier',
    script: binOf('prettier', 'prettier'),
    args: [fix ? '--write' : '--check', '--log-level', fix ? 'warn' : 'log', ...cache('prettier'), '.'],
  },
];
const python = path.join(root, 'scripts/lint-python.mjs');
if (fs.existsSync(python)) checks.push({ name: 'python', script: python, args: [] });

// Each check's output is kept and printed in order, so checks side by side do not interleave.
const run = (check) =>
  new Promise((resolve) => {
    const started = performance.now();
    const env = process.stdout.isTTY ? { ...process.env, FORCE_COLOR: '1' } : process.env;
    const child = spawn(process.execPath, [check.script, ...check.args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env });
    const output = [];
    child.stdout.on('data', (chunk) => output.push(chunk));
    child.stderr.on('data', (chunk) => output.push(chunk));
    child.on('error', (error) => output.push(Buffer.from(`${error.message}\n`)));
    child.on('close', (status) => resolve({ ...check, status, output: Buffer.concat(output).toString('utf8'), seconds: (performance.now() - started) / 1000 }));
  });

// With --fix one at a time: ESLint and Prettier would rewrite the same files.
const results = [];
if (fix) for (const check of checks) results.push(await run(check));
else results.push(...(await Promise.all(checks.map(run))));
for (const { name, status, output, seconds } of results) {
  process.stdout.write(`--- lint: ${name}\n${output}--- lint: ${name} ${status === 0 ? 'ok' : `failed (exit ${status})`} (${seconds.toFixed(1)} s)\n`);
}
const failed = results.filter((r) => r.status !== 0).map((r) => r.name);
if (failed.length > 0) {
  const hint = failed.some((name) => name === 'eslint' || name === 'prettier') && !fix ? '; `npm run lint -- --fix` fixes what the tools can' : '';
  process.stdout.write(`lint: findings from ${failed.join(', ')}${hint}\n`);
  process.exit(1);
}
process.stdout.write('lint: clean\n');
