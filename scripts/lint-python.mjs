#!/usr/bin/env node
// Lints the Python SDK (issue 16): flake8 (style, unused and undefined names) and pyright in strict
// mode (types), both over sdk/python/signalbox, configured in sdk/python/setup.cfg and
// sdk/python/pyproject.toml. Exits non-zero when either finds anything or cannot run, and ends
// with one line CI can read: "N passed, N failed, 0 skipped" (one check per tool).
//
// flake8 comes from Debian (`apt-get install -y python3-flake8`), which installs it for the
// system python3; `python3` on PATH may be another interpreter, so both are tried.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const sdk = path.join(root, 'sdk', 'python');

const run = (command, args, options = {}) => spawnSync(command, args, { cwd: sdk, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });

const findFlake8 = () => {
  for (const python of ['python3', '/usr/bin/python3']) {
    if (python.startsWith('/') && !fs.existsSync(python)) continue;
    if (run(python, ['-m', 'flake8', '--version']).status === 0) return python;
  }
  return null;
};

const checks = [
  {
    name: 'flake8 (sdk/python/signalbox)',
    run: () => {
      const python = findFlake8();
      if (!python) return { ok: false, output: 'flake8 is not installed: apt-get install -y python3-flake8' };
      // The configuration (setup.cfg) names the files; `signalbox` keeps the run to the package.
      const result = run(python, ['-m', 'flake8', 'signalbox']);
      return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
    },
  },
  {
    name: 'pyright --strict (sdk/python/signalbox)',
    run: () => {
      // The pyright the repository installs (node_modules/.bin), never a download.
      const bin = path.join(root, 'node_modules', '.bin', 'pyright');
      if (!fs.existsSync(bin)) return { ok: false, output: `pyright is not installed (${path.relative(root, bin)})` };
      const result = run(bin, ['-p', path.join(sdk, 'pyproject.toml')], { cwd: root });
      return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
    },
  },
];

let failed = 0;
for (const check of checks) {
  process.stdout.write(`\n=== ${check.name}\n`);
  const { ok, output } = check.run();
  if (output.trim()) process.stdout.write(`${output.trimEnd()}\n`);
  process.stdout.write(`${ok ? 'ok' : 'failed'}: ${check.name}\n`);
  if (!ok) failed += 1;
}
process.stdout.write(`\n${checks.length - failed} passed, ${failed} failed, 0 skipped\n`);
process.exit(failed === 0 ? 0 : 1);
