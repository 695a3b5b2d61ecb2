// The SDK's cold path, as a pipeline step that starts a process per run pays it: how long importing
// each entry point takes, and construct → ready → first evaluation with a 200-flag config given in
// memory (Signalbox bootstrap, GrowthBook payload, LaunchDarkly TestData, Unleash bootstrap), then
// every flag once; plus each package's installed size and dependency count. Every measurement runs
// in a fresh child process, the libraries alternating, and the median of the runs is reported.
//   npm run build && node bench/startup/sdk-cold.mjs [--runs 15] [--sdk-dir path/to/sdk] [--out file.json]
// `--sdk-dir` measures another build of the SDK (e.g. a checkout of an older commit) by path;
// `--out` writes the results elsewhere than bench/results/startup-sdk.json.
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { PerformanceObserver } from 'node:perf_hooks';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { FLAG_COUNT, growthbookPayload, launchdarklyData, model, signalboxConfig, unleashBootstrap } from '../lib/sdk-environment.mjs';
const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const argument = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at > 0 && process.argv[at + 1] !== undefined ? process.argv[at + 1] : fallback;
};

// ---------------------------------------------------------------------------------------------
// The config: one neutral model, translated into each library's format. 200 flags, a quarter of
// them multivariate strings; rules on plan/age, segments (listed keys or a rule), semver and
// suffix clauses, individual targets, prerequisites, percentage rollouts, some flags off.

const FIRST_FLAG = 'flag-99'; // a string flag with a prerequisite and a segment rule
const CONTEXT = { key: 'user-42', plan: 'pro', age: 30, country: 'de', appVersion: '2.4.1', email: 'ana@example.com' };

// ---------------------------------------------------------------------------------------------
// Children: one measurement each, printed as a JSON line.

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const NOWHERE = 'http://127.0.0.1:9';

/** Where a Signalbox entry point is: its package name, or a file of the build given by --sdk-dir. */
function signalboxEntry(subpath, sdkDir) {
  if (sdkDir === undefined) return subpath === '.' ? '@signalbox/sdk' : `@signalbox/sdk/${subpath.slice(2)}`;
  const exported = JSON.parse(readFileSync(join(sdkDir, 'package.json'), 'utf8')).exports?.[subpath];
  if (exported === undefined) return undefined;
  return pathToFileURL(join(sdkDir, typeof exported === 'string' ? exported : exported.default)).href;
}

const COLD = {
  // Each imports its library and builds its config (untimed), then returns start() → the first
  // value (timed: construct → ready → first evaluation), all(keys) → every value, and close().
  async Signalbox(sdkDir) {
    const { createClient } = await import(signalboxEntry('.', sdkDir));
    const config = signalboxConfig(model());
    const kinds = new Map(config.flags.map((flag) => [flag.key, flag.kind]));
    const context = { targetingKey: CONTEXT.key, ...CONTEXT };
    let client;
    return {
      async start() {
        client = createClient({ url: NOWHERE, sdkKey: 'bench', transport: 'none', bootstrap: config });
        await client.waitForReady({ timeoutMs: 10_000 });
        return client.string(FIRST_FLAG, context, 'none');
      },
      all: (keys) =>
        keys
          .map((key) => client.details(key, context, null, kinds.get(key)))
          .map((details) => (details.reason === 'ERROR' ? `ERROR ${details.errorMessage}` : details.value)),
      close: () => client.close(),
    };
  },
  async GrowthBook() {
    const { GrowthBookClient } = await import('@growthbook/growthbook');
    const payload = growthbookPayload(model());
    const user = { attributes: { id: CONTEXT.key, ...CONTEXT } };
    let client;
    return {
      async start() {
        client = new GrowthBookClient({ trackingCallback: () => {} });
        await client.init({ payload });
        return client.getFeatureValue(FIRST_FLAG, 'none', user);
      },
      all: (keys) => keys.map((key) => client.evalFeature(key, user).value),
      close: () => client.destroy?.(),
    };
  },
  async LaunchDarkly() {
    const { init } = await import('@launchdarkly/node-server-sdk');
    const { TestData } = await import('@launchdarkly/node-server-sdk/integrations');
    const data = launchdarklyData(model());
    const context = { kind: 'user', ...CONTEXT };
    let client;
    return {
      async start() {
        const testData = new TestData();
        for (const segment of data.segments) testData.usePreconfiguredSegment(segment);
        for (const flag of data.flags) testData.usePreconfiguredFlag(flag);
        client = init('sdk-bench', {
          updateProcessor: testData.getFactory(),
          sendEvents: false,
          diagnosticOptOut: true,
          baseUri: NOWHERE,
          streamUri: NOWHERE,
          eventsUri: NOWHERE,
          logger: silent,
        });
        await client.waitForInitialization({ timeout: 10 });
        return client.variation(FIRST_FLAG, context, 'none');
      },
      all: async (keys) => Promise.all(keys.map((key) => client.variation(key, context, null))),
      close: () => client.close(),
    };
  },
  async Unleash() {
    const { Unleash, InMemStorageProvider } = await import('unleash-client');
    const bootstrap = unleashBootstrap(model());
    const context = {
      userId: CONTEXT.key,
      properties: { plan: CONTEXT.plan, age: String(CONTEXT.age), country: CONTEXT.country, appVersion: CONTEXT.appVersion, email: CONTEXT.email },
    };
    const multivariate = new Set(bootstrap.data.filter((feature) => feature.strategies.some((s) => s.variants)).map((feature) => feature.name));
    let client;
    return {
      async start() {
        // refreshInterval 0: no fetch, the bootstrap is the config; in-memory storage: no backup file.
        client = new Unleash({
          appName: 'bench',
          url: `${NOWHERE}/api/`,
          refreshInterval: 0,
          disableMetrics: true,
          bootstrap,
          storageProvider: new InMemStorageProvider(),
          skipInstanceCountWarning: true,
        });
        client.on('error', () => {});
        client.on('warn', () => {});
        await new Promise((ready) => client.once('ready', ready));
        return client.getVariant(FIRST_FLAG, context).payload?.value ?? 'none';
      },
      all: (keys) => keys.map((key) => (multivariate.has(key) ? client.getVariant(key, context).payload?.value : client.isEnabled(key, context))),
      close: () => client.destroy(),
    };
  },
};

// CPU time beside wall time: on a shared machine the wall clock also counts the time other
// processes held the cores, CPU time only this process's work (all its threads).
const cpuMsSince = (start) => {
  const { user, system } = process.cpuUsage(start);
  return (user + system) / 1000;
};

/**
 * Collections that start between `from` and `to` (performance.now() times), as { count, ms }.
 * Entries arrive asynchronously, so read the result after yielding to the event loop.
 */
function collectionsBetween() {
  const entries = [];
  const observer = new PerformanceObserver((list) => entries.push(...list.getEntries()));
  observer.observe({ entryTypes: ['gc'] });
  return async (from, to) => {
    await new Promise((resolve) => setImmediate(resolve));
    observer.disconnect();
    const inside = entries.filter((entry) => entry.startTime >= from && entry.startTime < to);
    return { count: inside.length, ms: inside.reduce((sum, entry) => sum + entry.duration, 0) };
  };
}

async function child(kind, target, sdkDir) {
  if (kind === 'import') {
    const cpu = process.cpuUsage();
    const started = performance.now();
    await import(target);
    return { ms: performance.now() - started, cpuMs: cpuMsSince(cpu) };
  }
  const library = await COLD[target](sdkDir);
  const keys = Array.from({ length: FLAG_COUNT }, (_, i) => `flag-${i}`);
  const gcs = collectionsBetween();
  // Start every library from the same heap: empty young generation, nothing of the harness's left
  // to collect. Without this the garbage of importing and of building the config above fills the
  // young generation, and a 2-3 ms scavenge of the harness's objects lands inside the measured
  // window of whichever library happens to allocate next (it did for Signalbox, nearly every run).
  // A collection the library's own allocations trigger still counts, and is reported (gcInWindow).
  globalThis.gc();
  const cpu = process.cpuUsage();
  const started = performance.now();
  const first = await library.start();
  const firstMs = performance.now() - started;
  const firstCpuMs = cpuMsSince(cpu);
  const values = await library.all(keys);
  const allMs = performance.now() - started;
  await library.close();
  const gcInWindow = await gcs(started, started + firstMs);
  const errors = values.filter((value) => typeof value === 'string' && value.startsWith('ERROR'));
  return { firstMs, firstCpuMs, allMs, gcInWindow, first, errors: errors.length, firstError: errors[0] };
}

if (process.argv[2] === '--child') {
  const [kind, target] = process.argv.slice(3);
  const sdkDir = argument('--sdk-dir', undefined);
  const result = await child(kind, target, sdkDir && resolve(sdkDir));
  process.stdout.write(`${JSON.stringify(result)}\n`);
  // Some clients keep timers after close; the measurement is done.
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------
// Installed size and dependency count: the package's files and those of everything its
// dependencies (and required peers) pull in, resolved as Node resolves them.

function findPackage(name, fromDir) {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

function directorySize(dir) {
  let bytes = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.name === 'node_modules') continue;
    if (entry.isDirectory()) bytes += directorySize(path);
    else if (entry.isFile()) bytes += lstatSync(path).size;
  }
  return bytes;
}

/**
 * What installing a workspace package would put on disk: the unpacked size of the tarball `npm pack`
 * makes of it (its `files`, package.json, README, LICENSE), asked of npm itself.
 */
function publishedSize(dir) {
  const pack = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: dir, encoding: 'utf8' });
  if (pack.status !== 0) throw new Error(`npm pack --dry-run failed in ${dir}:\n${pack.stderr}`);
  const [tarball] = JSON.parse(pack.stdout);
  return { bytes: tarball.unpackedSize, files: tarball.entryCount };
}

function installedFootprint(name, dir) {
  const seen = new Map();
  const pending = [dir];
  while (pending.length > 0) {
    const packageDir = pending.pop();
    const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
    const id = `${manifest.name}@${manifest.version}`;
    if (seen.has(id)) continue;
    const workspace = !packageDir.split('/').includes('node_modules');
    seen.set(id, workspace ? publishedSize(packageDir).bytes : directorySize(packageDir));
    const optionalPeers = new Set(
      Object.entries(manifest.peerDependenciesMeta ?? {})
        .filter(([, meta]) => meta.optional)
        .map(([peer]) => peer),
    );
    const required = [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {}).filter((peer) => !optionalPeers.has(peer))];
    const optional = Object.keys(manifest.optionalDependencies ?? {});
    for (const dependency of [...required, ...optional]) {
      const found = findPackage(dependency, packageDir);
      if (found !== undefined) pending.push(found);
      else if (!optional.includes(dependency)) throw new Error(`${name}: cannot find ${dependency} (needed by ${id})`);
    }
  }
  const bytes = [...seen.values()].reduce((sum, size) => sum + size, 0);
  return { package: name, ownBytes: seen.values().next().value, bytes, dependencies: seen.size - 1, packages: [...seen.keys()].slice(1) };
}

// ---------------------------------------------------------------------------------------------
// The run.

const RUNS = Number(argument('--runs', 15));
const sdkDirArgument = argument('--sdk-dir', undefined);
const sdkDir = sdkDirArgument && resolve(sdkDirArgument);
const sdkPath = sdkDir ?? join(root, 'sdk');

const tasks = [
  ...['.', './core', './client', './openfeature']
    .map((subpath) => ({
      kind: 'import',
      label: subpath === '.' ? '@signalbox/sdk' : `@signalbox/sdk/${subpath.slice(2)}`,
      target: signalboxEntry(subpath, sdkDir),
    }))
    .filter((task) => task.target !== undefined),
  ...['@growthbook/growthbook', '@launchdarkly/node-server-sdk', 'unleash-client'].map((name) => ({ kind: 'import', label: name, target: name })),
  ...Object.keys(COLD).map((library) => ({ kind: 'cold', label: library, target: library })),
];

const samples = new Map(tasks.map((task) => [task, []]));
const firstValues = new Map();
for (let run = 0; run < RUNS; run++) {
  process.stderr.write(`\rrun ${run + 1}/${RUNS}`);
  // Alternate the order so no library always runs right after the same one.
  const order = tasks.map((_, i) => tasks[(i + run) % tasks.length]);
  for (const task of run % 2 === 0 ? order : order.reverse()) {
    // --expose-gc: a cold child collects the harness's garbage before its window (see `child`).
    const args = ['--expose-gc', fileURLToPath(import.meta.url), '--child', task.kind, task.target, ...(sdkDir ? ['--sdk-dir', sdkDir] : [])];
    const result = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', timeout: 60_000 });
    const line = result.stdout.trim().split('\n').pop();
    if (result.status !== 0 || !line) throw new Error(`${task.kind} ${task.label} failed (${result.status}):\n${result.stderr}`);
    const measured = JSON.parse(line);
    if (measured.errors > 0) throw new Error(`${task.label} served ${measured.errors} errors, e.g. ${measured.firstError}: not comparable`);
    samples.get(task).push(measured);
    if (task.kind === 'cold') firstValues.set(task.label, measured.first);
  }
}
process.stderr.write('\n');

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const round = (ms) => Math.round(ms * 100) / 100;
const summary = (values) => ({ median: round(median(values)), min: round(Math.min(...values)), max: round(Math.max(...values)) });

const importMs = Object.fromEntries(
  tasks
    .filter((t) => t.kind === 'import')
    .map((t) => [
      t.label,
      {
        ...summary(samples.get(t).map((s) => s.ms)),
        cpuMedian: round(median(samples.get(t).map((s) => s.cpuMs))),
        runs: samples.get(t).map((s) => round(s.ms)),
      },
    ]),
);
const coldMs = Object.fromEntries(
  tasks
    .filter((t) => t.kind === 'cold')
    .map((t) => [
      t.label,
      {
        firstEvaluation: {
          ...summary(samples.get(t).map((s) => s.firstMs)),
          cpuMedian: round(median(samples.get(t).map((s) => s.firstCpuMs))),
          // Collections inside the window, triggered by the library's own allocations.
          gcMedian: round(median(samples.get(t).map((s) => s.gcInWindow.ms))),
          runsWithGc: samples.get(t).filter((s) => s.gcInWindow.count > 0).length,
        },
        everyFlag: summary(samples.get(t).map((s) => s.allMs)),
        firstValue: firstValues.get(t.label),
        runs: samples.get(t).map((s) => round(s.firstMs)),
      },
    ]),
);
const footprints = [
  installedFootprint('@signalbox/sdk', sdkPath),
  ...['@growthbook/growthbook', '@launchdarkly/node-server-sdk', 'unleash-client'].map((name) =>
    installedFootprint(name, findPackage(name, join(root, 'bench'))),
  ),
];

const versionOf = (dir) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
const versions = {
  Signalbox: `@signalbox/sdk@${versionOf(sdkPath)}`,
  GrowthBook: `@growthbook/growthbook@${versionOf(findPackage('@growthbook/growthbook', root))}`,
  LaunchDarkly: `@launchdarkly/node-server-sdk@${versionOf(findPackage('@launchdarkly/node-server-sdk', root))}`,
  Unleash: `unleash-client@${versionOf(findPackage('unleash-client', root))}`,
};

const ms = (value) => value.toFixed(1).padStart(8);
console.log(
  `\nSDK cold path, median of ${RUNS} runs, each in a fresh process (node ${process.version}, ${cpus().length} CPUs)${sdkDir ? `; Signalbox from ${sdkDir}` : ''}`,
);
console.log('\nImport (ms)                          median     min     max    CPU');
for (const [label, value] of Object.entries(importMs))
  console.log(`  ${label.padEnd(32)} ${ms(value.median)}${ms(value.min)}${ms(value.max)}${ms(value.cpuMedian)}`);
console.log(`\nCold start, ${FLAG_COUNT} flags (ms): construct → ready → first evaluation, then every flag once`);
console.log('                                     median     min     max    CPU     GC   every flag  first value');
for (const [label, value] of Object.entries(coldMs)) {
  const first = value.firstEvaluation;
  console.log(
    `  ${label.padEnd(32)} ${ms(first.median)}${ms(first.min)}${ms(first.max)}${ms(first.cpuMedian)}${ms(first.gcMedian)}     ${ms(value.everyFlag.median)}  ${JSON.stringify(value.firstValue)}`,
  );
}
const megabytes = (bytes) => `${(bytes / 1_048_576).toFixed(2)} MB`;
console.log('\nInstalled size                        package   with dependencies   dependencies');
for (const footprint of footprints) {
  console.log(
    `  ${footprint.package.padEnd(32)} ${megabytes(footprint.ownBytes).padStart(9)} ${megabytes(footprint.bytes).padStart(19)} ${String(footprint.dependencies).padStart(14)}`,
  );
}

const results = {
  generatedAt: new Date().toISOString(),
  node: process.version,
  cpus: cpus().length,
  runs: RUNS,
  flags: FLAG_COUNT,
  signalboxBuild: sdkDir ?? 'workspace',
  versions,
  importMs,
  coldStartMs: coldMs,
  installed: Object.fromEntries(
    footprints.map((f) => [
      f.package,
      {
        packageBytes: f.ownBytes,
        bytes: f.bytes,
        megabytes: Math.round((f.bytes / 1_048_576) * 100) / 100,
        dependencies: f.dependencies,
        packages: f.packages,
      },
    ]),
  ),
};
// Another build is a comparison, not the result of this checkout.
if (sdkDir === undefined) {
  const out = resolve(root, argument('--out', join('bench', 'results', 'startup-sdk.json')));
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nwritten to ${relative(root, out)}`);
}
