// `matches` benchmark: the linear-time engine of the TypeScript and Python SDKs on the catastrophic
// (ReDoS) patterns of sdk/test-vectors/matches.json with their 10,000-character inputs, on ordinary
// patterns next to the backtracking engines they replaced (RegExp, Python's `re`), and on the
// patterns that are hardest for this engine. Numbers, not pass/fail.
//   npx tsc -b sdk && node bench/regex/run.mjs            (--quick skips the old engines' timeouts)
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileRegex } from '@signalbox/sdk/core';

const here = dirname(fileURLToPath(import.meta.url));
const quick = process.argv.includes('--quick');
const TARGET_MS = 100;
const OLD_ENGINE_TIMEOUT_MS = 1000;

// ---- cases ---------------------------------------------------------------------------------

const vectors = JSON.parse(readFileSync(join(here, '../../sdk/test-vectors/matches.json'), 'utf8')).cases;
const catastrophic = vectors
  .filter((vector) => vector.description.startsWith('catastrophic: '))
  .map((vector) => ({ pattern: vector.config.flags[0].rules[0].clauses[0].values[0], input: vector.context.input }));
const accepted = catastrophic.filter(({ pattern }) => compileRegex(pattern).ok);
const refused = catastrophic.filter(({ pattern }) => !compileRegex(pattern).ok);

let seed = 1;
const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
const randomText = (alphabet, length) => Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');

const EMAIL = '^[a-z0-9._%+-]+@[a-z0-9.-]+\\.[a-z]{2,}$';
const HOSTNAME = '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$';
// [label, pattern, the same for Python's re (what the old translation produced), input]
const ORDINARY = [
  ['email, 24 chars', EMAIL, EMAIL.replace('$', '\\Z'), 'ann.lee+ml@example.co.uk'],
  ['substring, 15 chars', 'example', 'example', 'ann@example.com'],
  ['build id, 9 chars', '^build-\\d{3}$', '^build-[0-9]{3}\\Z', 'build-042'],
  ['region, 9 chars', '^(?:eu|us)-(?:west|east)-\\d$', '^(?:eu|us)-(?:west|east)-[0-9]\\Z', 'eu-west-1'],
  ['hostname, 29 chars', HOSTNAME, HOSTNAME.replace('$', '\\Z'), 'eu-west-1.compute.example.com'],
  ['email, 10,000 chars', EMAIL, EMAIL.replace('$', '\\Z'), `${'x'.repeat(9_988)}@example.com`],
  ['absent substring, 10,000 chars', 'needle', 'needle', 'x'.repeat(10_000)],
];
// Patterns whose DFA has more states than its cache holds, on inputs that visit them: every
// character builds a state, the engine's worst case (still linear: bounded work per character).
const HARDEST = [
  ['(a|b)*a(a|b){12}$', randomText('ab', 10_000)],
  ['(?:a|b)*a[ab]{300}', randomText('ab', 10_000)],
  ['[a-z]{1,500}$', `${'a'.repeat(9_999)}!`],
];

// ---- timing --------------------------------------------------------------------------------

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
};

function medianUs(run) {
  const samples = [];
  const deadline = performance.now() + TARGET_MS;
  while (samples.length < 5 || (performance.now() < deadline && samples.length < 100_000)) {
    const start = performance.now();
    run();
    samples.push((performance.now() - start) * 1000);
  }
  return median(samples);
}

function timeTypeScript(pattern, input, oldPattern) {
  const compileUs = [];
  const coldUs = [];
  let regex;
  let matches;
  let steps = 0;
  for (let i = 0; i < 5; i++) {
    let start = performance.now();
    regex = compileRegex(pattern).regex;
    compileUs.push((performance.now() - start) * 1000);
    start = performance.now();
    matches = regex.test(input);
    coldUs.push((performance.now() - start) * 1000);
    steps = regex.steps;
  }
  const result = {
    pattern,
    length: input.length,
    matches,
    compileUs: median(compileUs),
    coldUs: median(coldUs),
    warmUs: medianUs(() => regex.test(input)),
    size: regex.size,
    stepsPerChar: steps / input.length,
    cacheResets: regex.cacheResets,
  };
  if (oldPattern !== undefined) {
    const old = new RegExp(oldPattern);
    result.regExpUs = medianUs(() => old.test(input));
    result.regExpMatches = old.test(input);
  }
  return result;
}

function timePython(cases) {
  const child = spawnSync('python3', [join(here, 'python_worker.py')], {
    input: JSON.stringify({ cases, targetMs: TARGET_MS }),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (child.status !== 0) throw new Error(`python worker failed: ${child.stderr}`);
  return child.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
}

// How long the backtracking engines take, each in a child process killed after the timeout.
const OLD_NODE =
  'const {pattern,input}=JSON.parse(require("fs").readFileSync(0,"utf8"));const r=new RegExp(pattern);const t=performance.now();r.test(input);console.log(performance.now()-t)';
const OLD_PYTHON =
  'import json,re,sys,time\nj=json.load(sys.stdin)\nr=re.compile(j["pattern"])\nt=time.perf_counter()\nr.search(j["input"])\nprint((time.perf_counter()-t)*1000)';
function oldEngineMs(command, args, pattern, input) {
  const child = spawnSync(command, args, {
    input: JSON.stringify({ pattern, input }),
    encoding: 'utf8',
    timeout: OLD_ENGINE_TIMEOUT_MS,
    killSignal: 'SIGKILL',
  });
  if (child.error?.code === 'ETIMEDOUT' || child.signal === 'SIGKILL') return Infinity;
  return child.status === 0 ? Number(child.stdout.trim()) : Number.NaN;
}

// ---- run -----------------------------------------------------------------------------------

process.stderr.write(`timing ${accepted.length} catastrophic patterns, ${ORDINARY.length} ordinary and ${HARDEST.length} hardest...\n`);
const tsCatastrophic = accepted.map(({ pattern, input }) => timeTypeScript(pattern, input));
const pyCatastrophic = timePython(accepted.map(({ pattern, input }) => ({ pattern, input })));
const tsOrdinary = ORDINARY.map(([, pattern, , input]) => timeTypeScript(pattern, input, pattern));
const pyOrdinary = timePython(ORDINARY.map(([, pattern, python, input]) => ({ pattern, input, python })));
const tsHardest = HARDEST.map(([pattern, input]) => timeTypeScript(pattern, input));
const pyHardest = timePython(HARDEST.map(([pattern, input]) => ({ pattern, input })));
const old = quick
  ? []
  : accepted.map(({ pattern, input }) => {
      process.stderr.write(`  old engines on ${pattern}\n`);
      return {
        regExpMs: oldEngineMs(process.execPath, ['-e', OLD_NODE], pattern, input),
        reMs: oldEngineMs('python3', ['-c', OLD_PYTHON], pattern.replaceAll('$', '\\Z'), input),
      };
    });

// ---- report --------------------------------------------------------------------------------

const us = (value) => (value >= 1000 ? `${(value / 1000).toFixed(1)} ms` : `${value.toFixed(value < 10 ? 1 : 0)} µs`);
const ms = (value) => (value === Infinity ? `> ${OLD_ENGINE_TIMEOUT_MS / 1000} s` : Number.isNaN(value) ? 'error' : `${value.toFixed(1)} ms`);
const row = (cells, widths) => `  ${cells.map((cell, i) => (i === 0 ? String(cell).padEnd(widths[i]) : String(cell).padStart(widths[i]))).join('  ')}`;
const short = (pattern) => (pattern.length > 40 ? `${pattern.slice(0, 37)}...` : pattern);

console.log(
  `\nmatches: catastrophic patterns on 10,000-character inputs (node ${process.version}, ${pyCatastrophic[0]?.python ? `python ${pyCatastrophic[0].python}, ` : ''}${cpus().length} CPUs, load ${loadavg()[0].toFixed(1)})`,
);
console.log('  cold: first evaluation after compiling (builds the DFA states); warm: median of repeated evaluations');
let widths = [40, 6, 9, 9, 9, 9, 9, 10, 10, 10];
console.log(row(['pattern', 'match', 'TS cold', 'TS warm', 'Py cold', 'Py warm', 'size', 'steps/char', 'RegExp', 're'], widths));
tsCatastrophic.forEach((ts, i) => {
  const py = pyCatastrophic[i];
  console.log(
    row(
      [
        short(ts.pattern),
        ts.matches,
        us(ts.coldUs),
        us(ts.warmUs),
        us(py.coldUs),
        us(py.warmUs),
        ts.size,
        ts.stepsPerChar.toFixed(2),
        old[i] ? ms(old[i].regExpMs) : '-',
        old[i] ? ms(old[i].reMs) : '-',
      ],
      widths,
    ),
  );
});
const worst = (results, key) => Math.max(...results.map((result) => result[key]));
console.log(
  `  slowest: TS cold ${us(worst(tsCatastrophic, 'coldUs'))}, warm ${us(worst(tsCatastrophic, 'warmUs'))}; Python cold ${us(worst(pyCatastrophic, 'coldUs'))}, warm ${us(worst(pyCatastrophic, 'warmUs'))}`,
);
console.log(`  refused on save (never evaluated): ${refused.map(({ pattern }) => pattern).join('   ')}`);

console.log('\nmatches: ordinary patterns, this engine vs the backtracking engines it replaced (median per evaluation)');
widths = [32, 10, 10, 7, 10, 10, 7];
console.log(row(['case', 'TS', 'RegExp', 'ratio', 'Python', 're', 'ratio'], widths));
tsOrdinary.forEach((ts, i) => {
  const py = pyOrdinary[i];
  if (ts.matches !== ts.regExpMatches || py.matches !== py.reMatches) throw new Error(`engines disagree on ${ORDINARY[i][0]}`);
  console.log(
    row(
      [
        ORDINARY[i][0],
        us(ts.warmUs),
        us(ts.regExpUs),
        `${(ts.warmUs / ts.regExpUs).toFixed(1)}x`,
        us(py.warmUs),
        us(py.reUs),
        `${(py.warmUs / py.reUs).toFixed(1)}x`,
      ],
      widths,
    ),
  );
});

console.log("\nmatches: the engine's hardest patterns (more DFA states than its cache holds), 10,000 characters");
widths = [32, 6, 10, 10, 10, 10, 11, 7];
console.log(row(['pattern', 'match', 'TS cold', 'TS warm', 'Py cold', 'Py warm', 'steps/char', 'resets'], widths));
tsHardest.forEach((ts, i) => {
  const py = pyHardest[i];
  console.log(row([ts.pattern, ts.matches, us(ts.coldUs), us(ts.warmUs), us(py.coldUs), us(py.warmUs), ts.stepsPerChar.toFixed(1), ts.cacheResets], widths));
});

const results = {
  generatedAt: new Date().toISOString(),
  node: process.version,
  python: pyCatastrophic[0]?.python,
  cpus: cpus().length,
  loadAverage: loadavg()[0],
  catastrophic: tsCatastrophic.map((ts, i) => ({ ...ts, python: pyCatastrophic[i], old: old[i] })),
  refused: refused.map(({ pattern }) => pattern),
  ordinary: tsOrdinary.map((ts, i) => ({ label: ORDINARY[i][0], ...ts, python: pyOrdinary[i] })),
  hardest: tsHardest.map((ts, i) => ({ ...ts, python: pyHardest[i] })),
};
const out = join(here, '..', 'results', 'regex.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(results, (key, value) => (value === Infinity ? `>${OLD_ENGINE_TIMEOUT_MS}ms` : value), 2)}\n`);
