#!/usr/bin/env node
// Runs OpenFeature's Gherkin conformance scenarios against SignalboxProvider, imported
// as an application does (`@signalbox/sdk/openfeature`: the bundle; run `node scripts/build.mjs` first).
// Ends with one line: "openfeature conformance: N scenarios, P passed, F failed"; exits 1 on any failure.
// `run-ofrep.mjs` beside it runs the evaluation scenarios through OFREP against a live server.
import { runScenarios } from './cucumber.mjs';

// Which feature files and why: see README.md beside this file.
const passed = await runScenarios({
  label: 'openfeature conformance',
  features: ['evaluation_v2.feature', 'hooks.feature'],
  tags: 'not @deprecated and not @reason-codes-cached and not @metadata and not @Metadata',
});
process.exit(passed ? 0 : 1);
