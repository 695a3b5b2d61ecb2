#!/usr/bin/env node
// Lints, then runs every test suite of the repository and ends with one line CI can read:
// "N passed, N failed, N skipped". Exits non-zero when lint found something, anything failed or
// nothing ran.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findPostgresBin } from './chaos/postgres.mjs';

const root = path.resolve(import.meta.dirname, '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'signalbox-test-'));
const totals = { passed: 0, failed: 0, skipped: 0 };
const problems = [];
// Names of failed tests, repeated at the very end so a truncated CI log still shows them.
const failures = [];
const firstLine = (text) =>
  String(text ?? '')
    .split('\n')
    .find((l) => l.trim())
    ?.trim()
    .slice(0, 300) ?? '';
// SIGNALBOX_TEST_SUITES=vitest runs only the vitest projects (CI's second pass on PostgreSQL).
const only = process.env.SIGNALBOX_TEST_SUITES;

const run = (label, command, args, env = {}) => {
  process.stdout.write(`\n=== ${label}\n`);
  const result = spawnSync(command, args, {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 256 * 1024 * 1024,
  });
  process.stdout.write(result.stdout ?? '');
  process.stderr.write(result.stderr ?? '');
  return { status: result.status ?? 1, output: `${result.stdout ?? ''}\n${result.stderr ?? ''}` };
};

const count = (label, passed, failed, skipped, status) => {
  totals.passed += passed;
  totals.failed += failed;
  totals.skipped += skipped;
  process.stdout.write(`--- ${label}: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  if (status !== 0 && failed === 0) problems.push(`${label} exited with ${status} without reporting a failed test`);
  if (passed + failed === 0) problems.push(`${label} ran no test`);
};

// Lint first (seconds, where the suites take minutes), but its findings do not stop the tests:
// they end the run as a problem line, so one run reports both.
if (!only) {
  process.stdout.write('\n=== lint (eslint, prettier: npm run lint)\n');
  const status = spawnSync(process.execPath, ['scripts/lint.mjs'], { cwd: root, stdio: 'inherit' }).status ?? 1;
  if (status !== 0) problems.push('lint found problems (npm run lint; npm run lint -- --fix fixes what the tools can)');
}

// Vitest: sdk, server and web projects, counted from its JSON report.
{
  const label = 'unit, integration and component tests (vitest: sdk, server, web)';
  const report = path.join(tmp, 'vitest.json');
  process.stdout.write(`\n=== ${label}\n`);
  const status =
    spawnSync('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`], { cwd: root, stdio: 'inherit' }).status ?? 1;
  if (!fs.existsSync(report)) {
    problems.push(`${label}: the runner wrote no report (exit ${status})`);
  } else {
    const json = JSON.parse(fs.readFileSync(report, 'utf8'));
    // A file that fails to load has no tests to count: make it count as a failure.
    const brokenFiles = json.testResults.filter((r) => r.status === 'failed' && r.assertionResults.length === 0).length;
    count(label, json.numPassedTests, json.numFailedTests + brokenFiles, json.numPendingTests + json.numTodoTests, status);
    for (const file of json.testResults) {
      const where = path.relative(root, file.name);
      if (file.status === 'failed' && file.assertionResults.length === 0) failures.push(`vitest ${where}: ${firstLine(file.message)}`);
      for (const test of file.assertionResults.filter((t) => t.status === 'failed'))
        failures.push(`vitest ${where} > ${test.fullName}: ${firstLine(test.failureMessages?.[0])}`);
    }
  }
}

// Python SDK: `python3 -m unittest` prints "Ran N tests" and "OK" / "FAILED (failures=a, errors=b, skipped=c)".
const hasPython = spawnSync('python3', ['--version']).status === 0;
if (!only && !hasPython) {
  const why = 'Python SDK (unittest): python3 is not installed (apt-get install -y python3)';
  if (process.env.CI) problems.push(why);
  else {
    process.stdout.write(`\n=== Python SDK (unittest)\nskipped: ${why}\n`);
    totals.skipped += 1;
  }
}
if (!only && hasPython && fs.existsSync(path.join(root, 'sdk/python/tests'))) {
  const { status, output } = run('Python SDK (unittest)', 'python3', ['-m', 'unittest', 'discover', '-s', 'sdk/python/tests', '-t', 'sdk/python']);
  const ran = Number(/Ran (\d+) tests?/.exec(output)?.[1] ?? 0);
  const field = (name) => Number(new RegExp(`${name}=(\\d+)`).exec(output)?.[1] ?? 0);
  const failed = field('failures') + field('errors') + field('unexpected successes');
  const skipped = field('skipped') + field('expected failures');
  count('Python SDK', ran - failed - skipped, failed, skipped, status);
  for (const m of output.matchAll(/^(?:FAIL|ERROR): (.+)$/gm)) failures.push(`python ${m[1]}`);
}

// OpenFeature conformance (cucumber) and the browser tests end with "... N passed, N failed".
for (const [label, script] of [
  ['OpenFeature conformance (cucumber)', 'sdk/test/conformance/run.mjs'],
  ['OpenFeature conformance through OFREP (cucumber, live server)', 'sdk/test/conformance/run-ofrep.mjs'],
  ['console in a real browser (playwright-core + chromium)', 'web/e2e/run.mjs'],
]) {
  if (only || !fs.existsSync(path.join(root, script))) continue;
  if (script.startsWith('web/') && !fs.existsSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium')) {
    // A new machine may lack the browser; CI installs it (.ci/run), so there its absence is a failure.
    const why = `${label}: Chromium is not installed (apt-get install -y chromium, or set CHROMIUM_PATH)`;
    if (process.env.CI) problems.push(why);
    else {
      process.stdout.write(`\n=== ${label}\nskipped: ${why}\n`);
      totals.skipped += 1;
    }
    continue;
  }
  const { status, output } = run(label, process.execPath, [script]);
  const line = [...output.matchAll(/(\d+) passed, (\d+) failed(?:, (\d+) skipped)?$/gm)].pop();
  if (!line) {
    problems.push(`${label} printed no "N passed, N failed" line (exit ${status})`);
    continue;
  }
  count(label, Number(line[1]), Number(line[2]), Number(line[3] ?? 0), status);
  // The browser runner marks a failed test "✗ name"; cucumber's progress format lists failed scenarios under "Failures:".
  // With the error's first line: a CI log that keeps only the summary still says what went wrong.
  for (const m of output.matchAll(/^✗ (.+)$(?:\n {4}(.+)$)?/gm)) failures.push(`browser ${m[1]}${m[2] ? ` — ${m[2].slice(0, 300)}` : ''}`);
  for (const m of output.matchAll(/^\d+\) Scenario: (.+)$/gm)) failures.push(`conformance ${m[1]}`);
}

// Chaos (short, seeded): two instances on a private PostgreSQL cluster, real SDK clients, faults;
// ends with "N passed, N failed" and marks each failed check "✗ name: ...".
if (!only) {
  const label = 'chaos (short, seeded)';
  if (!findPostgresBin()) {
    // CI installs PostgreSQL (.ci/run), so there its absence is a failure.
    const why = `${label}: the PostgreSQL binaries (initdb, pg_ctl, postgres) are not installed (apt-get install -y postgresql)`;
    if (process.env.CI) problems.push(why);
    else {
      process.stdout.write(`\n=== ${label}\nskipped: ${why}\n`);
      totals.skipped += 1;
    }
  } else {
    const { status, output } = run(label, process.execPath, ['scripts/chaos/run.mjs', '--short', '--seed', '1']);
    const line = [...output.matchAll(/^(\d+) passed, (\d+) failed$/gm)].pop();
    if (!line) problems.push(`${label} printed no "N passed, N failed" line (exit ${status})`);
    else count(label, Number(line[1]), Number(line[2]), 0, status);
    for (const m of output.matchAll(/^✗ (.+)$/gm)) failures.push(`chaos ${m[1].slice(0, 300)}`);
  }
}

fs.rmSync(tmp, { recursive: true, force: true });
for (const failure of failures) process.stdout.write(`failed: ${failure}\n`);
for (const problem of problems) process.stdout.write(`problem: ${problem}\n`);
process.stdout.write(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped\n`);
process.exit(totals.failed > 0 || problems.length > 0 || totals.passed === 0 ? 1 : 0);
