#!/usr/bin/env node
// Runs OpenFeature's Gherkin conformance scenarios against SignalboxProvider, imported
// as an application does (`@signalbox/sdk/openfeature`: the bundle; run `node scripts/build.mjs` first).
// Ends with one line: "openfeature conformance: N scenarios, P passed, F failed"; exits 1 on any failure.
import path from 'node:path';
import { loadConfiguration, runCucumber } from '@cucumber/cucumber/api';
import { GHERKIN_DIR } from './test-flags.mjs';

const here = import.meta.dirname;
// Which feature files and why: see README.md beside this file.
const FEATURES = ['evaluation_v2.feature', 'hooks.feature'];
const TAGS = 'not @deprecated and not @reason-codes-cached and not @metadata and not @Metadata';

const { runConfiguration } = await loadConfiguration({
  provided: {
    paths: FEATURES.map((f) => path.join(GHERKIN_DIR, f)),
    import: [path.join(here, 'steps.mjs')],
    tags: TAGS,
    format: [process.argv.includes('--verbose') ? 'pretty' : 'progress'],
    strict: true,
  },
});

const outcome = new Map();
const { success } = await runCucumber(runConfiguration, { cwd: path.resolve(here, '../..') }, (envelope) => {
  if (envelope.testCaseStarted) outcome.set(envelope.testCaseStarted.id, 'PASSED');
  if (envelope.testStepFinished) {
    const status = envelope.testStepFinished.testStepResult.status;
    if (status !== 'PASSED') outcome.set(envelope.testStepFinished.testCaseStartedId, status);
  }
});
const total = outcome.size;
const passed = [...outcome.values()].filter((s) => s === 'PASSED').length;
process.stdout.write(`\nopenfeature conformance: ${total} scenarios, ${passed} passed, ${total - passed} failed\n`);
process.exit(success && total > 0 && passed === total ? 0 : 1);
