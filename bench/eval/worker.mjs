// Times one library in its own process: node bench/eval/worker.mjs <adapter>
// Prints one JSON line: sanity checks and median ns per evaluation for each scenario.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { expectedV3, SCENARIOS, UNIT_COUNT } from './scenarios.mjs';

const ROUNDS = 7;
// Each round runs whole passes over the 100k contexts, enough of them to last about this long.
const TARGET_ROUND_MS = 150;

const adapterName = process.argv[2];
const adapter = await import(`./adapters/${adapterName}.mjs`);

function packageVersion(packageName) {
  const require = createRequire(import.meta.url);
  let folder = dirname(require.resolve(packageName));
  // Walk up from the entry point to the package's own package.json (exports may hide it).
  for (;;) {
    try {
      const manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8'));
      if (manifest.name === packageName) return manifest.version;
    } catch {
      // keep walking
    }
    const parent = dirname(folder);
    if (parent === folder) return 'unknown';
    folder = parent;
  }
}

async function pass(evaluate, contexts, isAsync) {
  let checksum = 0;
  if (isAsync) {
    for (let i = 0; i < contexts.length; i++) if ((await evaluate(contexts[i])) !== false) checksum++;
  } else {
    for (let i = 0; i < contexts.length; i++) if (evaluate(contexts[i]) !== false) checksum++;
  }
  return checksum;
}

async function sanity(scenario, evaluate, contexts, isAsync) {
  const counts = {};
  for (const context of contexts) {
    const value = String(isAsync ? await evaluate(context) : evaluate(context));
    counts[value] = (counts[value] ?? 0) + 1;
  }
  const share = (value) => (counts[value] ?? 0) / UNIT_COUNT;
  let ok;
  if (scenario === 'S1') ok = share('true') === 1;
  else if (scenario === 'S2') ok = Math.abs(share('true') - 0.2) < 0.01;
  else {
    const rest = UNIT_COUNT - expectedV3;
    ok = counts.v3 === expectedV3 && Math.abs((counts.v2 ?? 0) / rest - 0.2) < 0.01;
  }
  return { counts, ok };
}

const setup = await adapter.setup();
const isAsync = adapter.isAsync === true;
const report = { library: adapter.name, package: adapter.packageName, version: packageVersion(adapter.packageName), scenarios: {} };

for (const scenario of Object.keys(SCENARIOS)) {
  const evaluate = setup[scenario];
  const check = await sanity(scenario, evaluate, setup.contexts, isAsync);
  // Warm up, then size the rounds.
  let started = process.hrtime.bigint();
  await pass(evaluate, setup.contexts, isAsync);
  const warmMs = Number(process.hrtime.bigint() - started) / 1e6;
  const passes = Math.max(1, Math.min(50, Math.round(TARGET_ROUND_MS / Math.max(warmMs, 0.001))));
  const samples = [];
  let checksum = 0;
  for (let round = 0; round < ROUNDS; round++) {
    started = process.hrtime.bigint();
    for (let p = 0; p < passes; p++) checksum += await pass(evaluate, setup.contexts, isAsync);
    samples.push(Number(process.hrtime.bigint() - started) / (passes * UNIT_COUNT));
  }
  const sorted = [...samples].sort((a, b) => a - b);
  report.scenarios[scenario] = {
    nsPerEval: sorted[Math.floor(ROUNDS / 2)],
    rounds: samples.map((ns) => Math.round(ns * 10) / 10),
    passesPerRound: passes,
    sanity: check,
    checksum,
  };
}

await setup.close?.();
process.stdout.write(`${JSON.stringify(report)}\n`);
process.exit(0);
