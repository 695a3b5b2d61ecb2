#!/usr/bin/env node
// Runs every test suite of the repository and ends with one line CI can read:
// "N passed, N failed, N skipped". Exits non-zero when anything failed or nothing ran.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'signalbox-test-'));
const totals = { passed: 0, failed: 0, skipped: 0 };
let broken = false;

const run = (label, command, args, env = {}) => {
  process.stdout.write(`\n=== ${label}\n`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  return result.status ?? 1;
};

const vitest = (label, args, env) => {
  const report = path.join(tmp, `${label.replace(/\W+/g, '-')}.json`);
  const status = run(label, 'npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...args], env);
  if (!fs.existsSync(report)) {
    broken = true;
    process.stdout.write(`${label}: the runner wrote no report (exit ${status})\n`);
    return;
  }
  const json = JSON.parse(fs.readFileSync(report, 'utf8'));
  totals.passed += json.numPassedTests;
  totals.failed += json.numFailedTests;
  totals.skipped += json.numPendingTests + json.numTodoTests;
  // A file that fails to load has no tests to count: make it count.
  const failedFiles = json.testResults.filter((r) => r.status === 'failed' && r.assertionResults.length === 0).length;
  totals.failed += failedFiles;
  if (status !== 0 && json.numFailedTests + failedFiles === 0) broken = true;
};

vitest('unit and integration tests (sdk, server)', []);

const summary = `${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`;
process.stdout.write(`\n${summary}\n`);
fs.rmSync(tmp, { recursive: true, force: true });
process.exit(totals.failed > 0 || broken || totals.passed === 0 ? 1 : 0);
