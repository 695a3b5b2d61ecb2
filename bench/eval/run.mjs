// Evaluation benchmark: Signalbox vs flagd-core, GrowthBook, LaunchDarkly and Unleash.
// Each library runs in its own child process, one after another, over the same 100,000 contexts.
//   npx tsc -b sdk && node bench/eval/run.mjs
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SCENARIOS, UNIT_COUNT } from './scenarios.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const ADAPTERS = ['signalbox', 'flagd', 'growthbook', 'launchdarkly', 'unleash'];

const reports = [];
for (const adapter of ADAPTERS) {
  process.stderr.write(`running ${adapter}...\n`);
  const child = spawnSync(process.execPath, [join(here, 'worker.mjs'), adapter], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  const line = child.stdout.trim().split('\n').pop();
  if (child.status !== 0 || !line) {
    process.stderr.write(child.stderr);
    throw new Error(`${adapter} failed with status ${child.status}`);
  }
  reports.push(JSON.parse(line));
}

const scenarios = Object.keys(SCENARIOS);
const format = (ns) => ns.toLocaleString('en-US', { maximumFractionDigits: ns < 100 ? 1 : 0 });

console.log(`\nSanity check (served values over ${UNIT_COUNT.toLocaleString('en-US')} contexts)`);
for (const report of reports) {
  const cells = scenarios.map((s) => {
    const { counts, ok } = report.scenarios[s].sanity;
    const shares = Object.entries(counts)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([value, count]) => `${value} ${((100 * count) / UNIT_COUNT).toFixed(2)}%`)
      .join(', ');
    return `${s} ${ok ? 'ok' : 'WRONG'} (${shares})`;
  });
  console.log(`  ${report.library.padEnd(13)} ${cells.join(' | ')}`);
}

console.log(`\nMedian ns per evaluation (${reports[0].scenarios.S1.rounds.length} rounds; node ${process.version}, ${cpus().length} CPUs)`);
console.log(`  ${'library'.padEnd(28)} ${scenarios.map((s) => s.padStart(9)).join(' ')}`);
for (const report of reports) {
  const label = `${report.library} ${report.version}`;
  console.log(`  ${label.padEnd(28)} ${scenarios.map((s) => format(report.scenarios[s].nsPerEval).padStart(9)).join(' ')}`);
}

const signalbox = reports[0];
const peers = reports.slice(1);
const speedup = {};
const fastestPeer = {};
for (const s of scenarios) {
  const fastest = peers.reduce((best, report) => (report.scenarios[s].nsPerEval < best.scenarios[s].nsPerEval ? report : best));
  fastestPeer[s] = fastest.library;
  speedup[s] = fastest.scenarios[s].nsPerEval / signalbox.scenarios[s].nsPerEval;
}
console.log(`  ${'Signalbox speedup vs fastest'.padEnd(28)} ${scenarios.map((s) => `${speedup[s].toFixed(1)}x`.padStart(9)).join(' ')}`);
console.log(`  ${'(fastest peer)'.padEnd(28)} ${scenarios.map((s) => fastestPeer[s].padStart(9)).join(' ')}`);
for (const [s, description] of Object.entries(SCENARIOS)) console.log(`  ${s}: ${description}`);

const allSane = reports.every((report) => scenarios.every((s) => report.scenarios[s].sanity.ok));
if (!allSane) console.log('\nWARNING: a library did not serve the expected split; its timing is not comparable.');

const results = {
  generatedAt: new Date().toISOString(),
  node: process.version,
  cpus: cpus().length,
  units: UNIT_COUNT,
  scenarios: SCENARIOS,
  nsPerEval: Object.fromEntries(reports.map((r) => [r.library, Object.fromEntries(scenarios.map((s) => [s, Math.round(r.scenarios[s].nsPerEval * 10) / 10]))])),
  versions: Object.fromEntries(reports.map((r) => [r.library, `${r.package}@${r.version}`])),
  speedupVsFastestPeer: Object.fromEntries(scenarios.map((s) => [s, Math.round(speedup[s] * 100) / 100])),
  fastestPeer,
  sanity: Object.fromEntries(reports.map((r) => [r.library, Object.fromEntries(scenarios.map((s) => [s, r.scenarios[s].sanity]))])),
  rounds: Object.fromEntries(reports.map((r) => [r.library, Object.fromEntries(scenarios.map((s) => [s, r.scenarios[s].rounds]))])),
};
const out = join(here, '..', 'results', 'eval.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nwrote ${out}`);
