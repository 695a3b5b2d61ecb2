// Runs Gherkin scenarios with this folder's step definitions and prints one summary line:
// "<label>: N scenarios, P passed, F failed". Resolves with whether every scenario passed.
import path from 'node:path';
import { loadConfiguration, runCucumber } from '@cucumber/cucumber/api';
import { GHERKIN_DIR } from './test-flags.mjs';

const here = import.meta.dirname;

export async function runScenarios({ label, features, tags }) {
  const { runConfiguration } = await loadConfiguration({
    provided: {
      paths: features.map((f) => path.join(GHERKIN_DIR, f)),
      import: [path.join(here, 'steps.mjs')],
      tags,
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
  process.stdout.write(`\n${label}: ${total} scenarios, ${passed} passed, ${total - passed} failed\n`);
  return success && total > 0 && passed === total;
}
