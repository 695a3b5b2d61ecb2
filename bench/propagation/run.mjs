// npm run bench:propagation — time from the API's response to a change to the SDK's change event,
// and what each delivery costs. Real server (built, embedded database), real socket.io, real SDK
// clients in worker processes (the fleet never shares the server's process).
//
// Data: the startup bench's environment (bench/startup/flagset.mjs: 200 flags with targets, rules,
// semver/string clauses, segment rules and rollouts, 20 segments) plus one probe flag with a rule
// and a rollout, so 201 flags. The 6-flag demo project is used only to show that the SDK's cost
// per applied change does not depend on the environment's size.
//
// Phases:
//   - one client, 200 changes: p50/p99 from the API's answer to the SDK's change event;
//   - SDK CPU per applied change, at the demo's flags and at 201 flags (one worker of 200 clients);
//   - 1,000 and 5,000 clients (BENCH_FLEETS): 2 first changes, reported apart, then 20 ordinary
//     changes (time until the last client has each, server CPU per client per change from /proc,
//     heap per connection after GC), then 6 kill switches and restores with waitForConfirmationMs
//     (the changes that ask every SDK to confirm).
// Database: PostgreSQL when it answers (BENCH_PG_URL, default postgres://postgres@127.0.0.1:5432;
// a fresh database, dropped at the end), as in production; BENCH_DATABASE=embedded runs the server on
// its embedded database instead (PGlite inside the server process, so its work counts as the
// server's). With PostgreSQL on this machine its processes' CPU is reported beside the server's.
// BENCH_SERVER_PROFILE=<dir> writes the server's --cpu-prof there; BENCH_PROFILE=<dir> the workers'.
// BENCH_MAIN=<path to another build's server/dist/src/main.js> runs that server instead (before/after
// comparisons), BENCH_SDK_MODULE=<another build's sdk/dist/bundle/index.js> that SDK in the client
// workers; BENCH_OUT=<file> saves the results there instead of bench/results/propagation.json.
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { percentile, startServer } from '../lib/server.mjs';
import { createDatabase, dropDatabase, pgAnswers, postgresCpuMicros } from '../startup/processes.mjs';
import { FLAG_COUNT, SEGMENT_COUNT, SIGNALBOX_ENV, SIGNALBOX_PROJECT, loadSignalbox } from '../startup/flagset.mjs';

const FLAG = 'bench.propagation';
const FLEET_CHANGES = 20;
// Changes made before the measured ones, reported apart: a worker's first changes run the SDK's
// change path for each of its 2,500 clients before V8 has optimised it (see runFleet).
const FLEET_WARMUP = 2;
const KILLS = 6;
const SDK_COST_CLIENTS = 200;
const SDK_COST_CHANGES = 30;
const now = () => performance.timeOrigin + performance.now();
const fleets = (process.env.BENCH_FLEETS ?? '1000,5000').split(',').filter(Boolean).map(Number);
// BENCH_PHASES=one,sdk,fleet (the default: all), e.g. `fleet` alone for a profile.
const phases = new Set((process.env.BENCH_PHASES ?? 'one,sdk,fleet').split(','));
const DATABASE_NAME = 'signalbox_propagation_bench';
const onPostgres = process.env.BENCH_DATABASE !== 'embedded' && (await pgAnswers());
if (process.env.BENCH_DATABASE === 'postgres' && !onPostgres) throw new Error('BENCH_DATABASE=postgres but PostgreSQL does not answer (BENCH_PG_URL)');
const server = await startServer({
  inspect: true,
  env: onPostgres ? { DATABASE_URL: await createDatabase(DATABASE_NAME) } : {},
  ...(process.env.BENCH_MAIN ? { main: path.resolve(process.env.BENCH_MAIN) } : {}),
});
/** PostgreSQL's CPU in µs (every postgres process here), or undefined on the embedded database or a remote server. */
const databaseCpuMicros = () => (onPostgres ? postgresCpuMicros() : undefined);
// A keep-alive connection the server closed as a request went out is not a result: send it again.
const admin = server.admin;
server.admin = async (pathname, init) => {
  try {
    return await admin(pathname, init);
  } catch (err) {
    if (err?.cause?.code !== 'ECONNRESET') throw err;
    return admin(pathname, init);
  }
};

const expectOk = async (res, what) => {
  if (!res.ok) throw new Error(`${what}: ${res.status} ${await res.text()}`);
  return res.json().catch(() => undefined);
};

// The realistic environment, and a probe flag in it (a rule and a rollout, like its neighbours).
const { sdkKey: largeKey } = await loadSignalbox(server.admin);
if (!largeKey) throw new Error('the startup flag set did not return an SDK key');
const probeConfig = {
  on: true,
  offVariant: 'off',
  targets: [{ variant: 'on', values: ['user-probe-1', 'user-probe-2'] }],
  rules: [{ clauses: [{ attribute: 'country', op: 'in', values: ['de', 'fr'] }], serve: { variant: 'on' } }],
  defaultRule: {
    rollout: {
      bucketBy: 'targetingKey',
      variants: [
        { variant: 'on', weight: 50_000 },
        { variant: 'off', weight: 50_000 },
      ],
    },
  },
  prerequisites: [],
};
const environments = {
  large: { project: SIGNALBOX_PROJECT, environment: SIGNALBOX_ENV, sdkKey: largeKey, version: 0 },
  demo: { project: 'demo', environment: 'development', sdkKey: server.sdkKeys.development, version: 0 },
};
for (const target of Object.values(environments)) {
  await expectOk(
    await server.admin(`/projects/${target.project}/flags`, {
      method: 'POST',
      body: JSON.stringify({ key: FLAG, name: 'Propagation probe', kind: 'boolean' }),
    }),
    'create the probe flag',
  );
  const put = await expectOk(
    await server.admin(`/projects/${target.project}/flags/${FLAG}/environments/${target.environment}`, {
      method: 'PUT',
      body: JSON.stringify({ version: 0, reason: 'propagation bench', ...probeConfig }),
    }),
    'configure the probe flag',
  );
  target.version = put.version;
  const snapshot = await expectOk(await fetch(`${server.url}/api/v1/sdk/config`, { headers: { authorization: `Bearer ${target.sdkKey}` } }), 'snapshot');
  target.flags = snapshot.flags.length;
  target.segments = snapshot.segments.length;
}

const headSequence = async (target) =>
  Number(
    // identity: the bench reads the sequence, and a gzip encoding of the new config would be the bench's cost, not the change's.
    (
      await fetch(`${server.url}/api/v1/sdk/config`, { method: 'HEAD', headers: { authorization: `Bearer ${target.sdkKey}`, 'accept-encoding': 'identity' } })
    ).headers
      .get('etag')
      .replaceAll('"', ''),
  );

/** An ordinary change (the probe's on/off), as most edits are: no one waits for confirmation. */
const toggle = async (target) => {
  const res = await server.admin(`/projects/${target.project}/flags/${FLAG}/environments/${target.environment}`, {
    method: 'PATCH',
    body: JSON.stringify({ version: target.version, on: target.version % 2 === 0, reason: 'propagation bench' }),
  });
  const at = now();
  const body = await expectOk(res, 'toggle');
  target.version = body.version;
  // The write names its change-log sequence; older servers (BENCH_MAIN) only through the config's ETag,
  // whose read rebuilds the environment's snapshot, a cost of the bench's, not of the change.
  const sequence = Number(res.headers.get('signalbox-sequence') ?? NaN);
  return { at, sequence: Number.isSafeInteger(sequence) ? sequence : await headSequence(target) };
};

/** A kill switch or its restore, waiting (up to 5 s) until every connected SDK confirmed it. */
const killOrRestore = async (target, kill) => {
  // From the request: the answer comes only once every SDK confirmed.
  const at = now();
  const res = await server.admin(`/projects/${target.project}/flags/${FLAG}/${kill ? 'kill' : 'restore'}`, {
    method: 'POST',
    body: JSON.stringify({ environments: [target.environment], reason: 'propagation bench', waitForConfirmationMs: 5_000 }),
  });
  const [written] = (await expectOk(res, kill ? 'kill' : 'restore')).environments;
  target.version = written.version;
  return { at, sequence: written.sequence, delivery: written.delivery };
};

const liveWorkers = new Set();
const startFleet = async (total, target, workerCount = 2) => {
  const perWorker = Math.ceil(total / workerCount);
  const workers = [];
  for (let i = 0; i < workerCount && i * perWorker < total; i++) {
    const count = Math.min(perWorker, total - i * perWorker);
    const worker = fork(path.join(import.meta.dirname, 'clients.mjs'), [JSON.stringify({ url: server.url, sdkKey: target.sdkKey, count, flag: FLAG })], {
      execArgv: [
        '--max-old-space-size=4096',
        '--expose-gc',
        ...(process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.BENCH_PROFILE] : []),
        // Extra Node.js options for the client workers (e.g. --trace-gc).
        ...(process.env.BENCH_WORKER_ARGS ? process.env.BENCH_WORKER_ARGS.split(' ').filter(Boolean) : []),
      ],
    });
    workers.push(worker);
    liveWorkers.add(worker);
    worker.once('exit', () => liveWorkers.delete(worker));
  }
  const ready = await Promise.all(
    workers.map(
      (w) =>
        new Promise((resolve) =>
          w.once('message', (m) => {
            if (Object.keys(m.statuses ?? {}).some((status) => status !== 'ready')) progress(`a worker's clients: ${JSON.stringify(m.statuses)}`);
            resolve(m.ready);
          }),
        ),
    ),
  );
  return { workers, ready: ready.reduce((a, b) => a + b, 0) };
};

/** When the last worker's client had the change made at `at` (ms after it), and how many clients never did. */
const untilAllHaveIt = async (workers, { at, sequence }) => {
  const reports = await collect(workers, sequence);
  const times = reports.flatMap((r) => r.times);
  return { ms: times.length > 0 ? Math.max(...times) - at : undefined, missing: reports.reduce((a, r) => a + r.missing, 0) };
};

const collect = (workers, sequence, extra = {}) =>
  Promise.all(
    workers.map(
      (w) =>
        new Promise((resolve) => {
          const handler = (m) => {
            if (m.type === 'times' && m.sequence === sequence) {
              w.off('message', handler);
              resolve(m);
            }
          };
          w.on('message', handler);
          w.send({ type: 'collect', sequence, ...extra });
        }),
    ),
  );

const stopFleet = async (workers) => {
  await Promise.all(
    workers.map(
      (w) =>
        new Promise((resolve) => {
          w.once('exit', resolve);
          w.send({ type: 'close' });
        }),
    ),
  );
};

const cpuMicros = (usage) => usage.user + usage.system;
const workerCpu = async (workers) => (await collect(workers, -1)).reduce((sum, r) => sum + cpuMicros(r.cpu), 0);
/** The workers' heap after a full collection, and the time they have spent collecting so far. */
const workerMemory = async (workers) => {
  const reports = await collect(workers, -1, { gc: true });
  return { heapUsed: reports.reduce((sum, r) => sum + r.heapUsed, 0), gcMs: reports.reduce((sum, r) => sum + r.gcMs, 0) };
};
const workerGcMs = async (workers) => (await collect(workers, -1)).reduce((sum, r) => sum + r.gcMs, 0);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const progress = (what) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${what}\n`);

const results = {
  database: onPostgres ? 'PostgreSQL (a fresh database on BENCH_PG_URL)' : 'embedded (PGlite in the server process)',
  data: {
    large: `bench/startup/flagset.mjs: ${FLAG_COUNT} flags + the probe (${environments.large.flags} flags), ${SEGMENT_COUNT} segments (${environments.large.segments})`,
    demo: `demo project, development (${environments.demo.flags} flags, ${environments.demo.segments} segments)`,
  },
};

// One client, 200 changes, on the large environment.
if (phases.has('one')) {
  progress('one client');
  const { workers } = await startFleet(1, environments.large);
  const latencies = [];
  const cpuBefore = server.cpuMicros();
  const databaseCpuBefore = databaseCpuMicros();
  for (let i = 0; i < 200; i++) {
    const { at, sequence } = await toggle(environments.large);
    const [report] = await collect(workers, sequence);
    if (report.times.length > 0) latencies.push(report.times[0] - at);
  }
  await stopFleet(workers);
  // What a change costs the server with (almost) no one to deliver it to: the write, the change
  // log, the snapshot rebuild, on the embedded database in the same process.
  const serverCpuMicrosPerChange = Math.round((server.cpuMicros() - cpuBefore) / 200);
  const databaseCpu = databaseCpuMicros();
  results.oneClient = {
    changes: 200,
    received: latencies.length,
    p50ms: percentile(latencies, 50),
    p99ms: percentile(latencies, 99),
    serverCpuMicrosPerChange,
    databaseCpuMicrosPerChange: databaseCpu === undefined ? undefined : Math.round((databaseCpu - databaseCpuBefore) / 200),
  };
}

// SDK CPU per applied change: one worker process of clients, the same changes, small and large environment.
results.sdkCpu = {};
for (const [name, target] of phases.has('sdk') ? Object.entries(environments) : []) {
  progress(`SDK cost, ${name}`);
  const { workers } = await startFleet(SDK_COST_CLIENTS, target, 1);
  await sleep(1000);
  for (let i = 0; i < 3; i++) await collect(workers, (await toggle(target)).sequence); // warm-up
  await sleep(500);
  const before = await workerCpu(workers);
  const started = now();
  for (let i = 0; i < SDK_COST_CHANGES; i++) await collect(workers, (await toggle(target)).sequence);
  await sleep(300);
  const elapsed = now() - started;
  const spent = (await workerCpu(workers)) - before;
  // The same worker sitting idle for as long: timers and pings, not changes.
  const idleBefore = await workerCpu(workers);
  await sleep(elapsed);
  const idle = (await workerCpu(workers)) - idleBefore;
  await stopFleet(workers);
  results.sdkCpu[name] = {
    flags: target.flags,
    clients: SDK_COST_CLIENTS,
    changes: SDK_COST_CHANGES,
    microsPerAppliedChange: Math.round(spent / SDK_COST_CHANGES / SDK_COST_CLIENTS),
    idleMicrosPerClientForSameTime: Math.round(idle / SDK_COST_CHANGES / SDK_COST_CLIENTS),
  };
}

const resultsFile = path.resolve(process.env.BENCH_OUT ?? path.join(import.meta.dirname, '../results/propagation.json'));
const save = () => {
  fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
  fs.writeFileSync(resultsFile, JSON.stringify({ date: new Date().toISOString(), ...results }, null, 2));
};
save();

const runFleet = async (total) => {
  const target = environments.large;
  await sleep(2000);
  const memoryBefore = await server.heapAfterGc();
  progress(`${total} clients: connecting`);
  const { workers, ready } = await startFleet(total, target);
  progress(`${total} clients: ${ready} ready`);
  await sleep(2000);

  // Idle: what the server spends holding the connections (pings, presence heartbeats), per second.
  // Before the heap reading: the full collection it forces goes on in the background for a while.
  const idleStart = server.cpuMicros();
  const idleStarted = now();
  await sleep(3000);
  const idleMicrosPerSecond = (server.cpuMicros() - idleStart) / ((now() - idleStarted) / 1000);
  const memoryAfter = await server.heapAfterGc();
  await sleep(1000);

  // The first changes after the fleet connected, reported apart from the measured ones: each of a
  // worker's 2,500 clients then runs the change path for the first time (about 2.5 times a later
  // change's CPU, V8 not having optimised it yet), which a fleet of one SDK per process pays once
  // per process, in about a millisecond, not once per 2,500 clients in a row.
  const firstChanges = [];
  let missing = 0;
  for (let i = 0; i < FLEET_WARMUP; i++) {
    const change = await untilAllHaveIt(workers, await toggle(target));
    missing += change.missing;
    if (change.ms !== undefined) firstChanges.push(change.ms);
  }
  await sleep(1000);

  const allHaveIt = [];
  const serverCpuBefore = server.cpuMicros();
  const serverSplitBefore = server.cpuSplit();
  const databaseCpuBefore = databaseCpuMicros();
  const clientMemory = await workerMemory(workers);
  const clientCpuBefore = await workerCpu(workers);
  const clientGcBefore = await workerGcMs(workers);
  const windowStart = now();
  for (let i = 0; i < FLEET_CHANGES; i++) {
    const change = await untilAllHaveIt(workers, await toggle(target));
    missing += change.missing;
    if (change.ms !== undefined) allHaveIt.push(change.ms);
  }
  await sleep(500); // acks still in flight count against the changes
  const windowSeconds = (now() - windowStart) / 1000;
  const serverCpu = server.cpuMicros() - serverCpuBefore;
  const serverSplit = server.cpuSplit();
  const databaseCpuAfter = databaseCpuMicros();
  const clientCpu = (await workerCpu(workers)) - clientCpuBefore;
  const clientGcMs = (await workerGcMs(workers)) - clientGcBefore;

  progress(`${total} clients: kills`);
  // Kill switches: every SDK is asked to confirm; the API waits until all did.
  const killHaveIt = [];
  const confirmations = [];
  const killCpuBefore = server.cpuMicros();
  const killStart = now();
  for (let i = 0; i < KILLS; i++) {
    const written = await killOrRestore(target, i % 2 === 0);
    const { delivery } = written;
    const change = await untilAllHaveIt(workers, written);
    if (change.ms !== undefined) killHaveIt.push(change.ms);
    confirmations.push(delivery ? `${delivery.confirmed}/${delivery.connected} in ${delivery.waitedMs} ms` : 'none');
  }
  await sleep(500);
  const killSeconds = (now() - killStart) / 1000;
  const killCpu = server.cpuMicros() - killCpuBefore;
  await stopFleet(workers);

  const perClientChange = (micros, changes) => Math.round((micros / changes / total) * 10) / 10;
  results[`clients${total}`] = {
    clients: total,
    ready,
    changes: FLEET_CHANGES,
    missedDeliveries: missing,
    allHaveItP50ms: percentile(allHaveIt, 50),
    allHaveItP99ms: percentile(allHaveIt, 99),
    allHaveItMs: allHaveIt,
    firstChanges: { changes: FLEET_WARMUP, allHaveItMs: firstChanges },
    serverCpuMicrosPerClientChange: perClientChange(serverCpu, FLEET_CHANGES),
    // The part that grows with the fleet: this run's cost per change less the one-client run's.
    serverCpuMicrosPerClientChangeMarginal: results.oneClient
      ? perClientChange(Math.max(0, serverCpu - results.oneClient.serverCpuMicrosPerChange * FLEET_CHANGES), FLEET_CHANGES)
      : undefined,
    serverCpuMicrosPerClientChangeLessIdle: perClientChange(Math.max(0, serverCpu - idleMicrosPerSecond * windowSeconds), FLEET_CHANGES),
    // Of all the server's CPU: time in the kernel (mostly the socket writes, which on loopback also
    // run the receiving side's TCP work) and in the process itself.
    serverSystemCpuMicrosPerClientChange: perClientChange(serverSplit.system - serverSplitBefore.system, FLEET_CHANGES),
    serverUserCpuMicrosPerClientChange: perClientChange(serverSplit.user - serverSplitBefore.user, FLEET_CHANGES),
    serverIdleCpuMicrosPerSecond: Math.round(idleMicrosPerSecond),
    clientCpuMicrosPerClientChange: perClientChange(clientCpu, FLEET_CHANGES),
    // The client workers' garbage collection per change (all workers), and their heap per SDK.
    clientGcMsPerChange: Math.round(clientGcMs / FLEET_CHANGES),
    clientHeapKiBPerClient: Math.round(clientMemory.heapUsed / total / 1024),
    // PostgreSQL's own work per change (the write, the change log, the snapshot's queries), when it runs here.
    databaseCpuMicrosPerChange: databaseCpuAfter === undefined ? undefined : Math.round((databaseCpuAfter - databaseCpuBefore) / FLEET_CHANGES),
    kills: {
      changes: KILLS,
      allHaveItP50ms: percentile(killHaveIt, 50),
      allHaveItMaxMs: Math.max(...killHaveIt),
      serverCpuMicrosPerClientChange: perClientChange(killCpu, KILLS),
      serverCpuMicrosPerClientChangeLessIdle: perClientChange(Math.max(0, killCpu - idleMicrosPerSecond * killSeconds), KILLS),
      confirmations,
    },
    serverKiBPerConnection: Math.round((memoryAfter - memoryBefore) / total / 1024),
    serverRssMiB: Math.round(server.rss() / 1048576),
  };
};

for (const total of phases.has('fleet') ? fleets : []) {
  try {
    await runFleet(total);
  } catch (err) {
    // A fleet the machine could not carry is a result too: say so and go on.
    progress(`${total} clients failed: ${err?.cause?.code ?? err?.message ?? err}`);
    results[`clients${total}`] = { clients: total, failed: String(err?.cause?.code ?? err?.message ?? err) };
    for (const worker of liveWorkers) worker.kill();
    liveWorkers.clear();
  }
  save();
}
await server.stop();
if (onPostgres) await dropDatabase(DATABASE_NAME);

const ms = (v) => (v === undefined ? '—' : v.toFixed(1));
console.log(
  `\nPropagation: API response → SDK change event (node ${process.version}, ${os.cpus().length} CPUs, ${results.database}, server and clients on one machine)`,
);
console.log(`  data: ${results.data.large}; SDK cost also on the ${results.data.demo}`);
if (results.oneClient)
  console.log(
    `  one client, 200 changes:         p50 ${ms(results.oneClient.p50ms)} ms   p99 ${ms(results.oneClient.p99ms)} ms   (target p99 ≤ 20 ms); server CPU ${(results.oneClient.serverCpuMicrosPerChange / 1000).toFixed(1)} ms per change${results.oneClient.databaseCpuMicrosPerChange === undefined ? '' : `, PostgreSQL ${(results.oneClient.databaseCpuMicrosPerChange / 1000).toFixed(1)} ms`}`,
  );
for (const [name, r] of Object.entries(results.sdkCpu)) {
  console.log(
    `  SDK CPU per applied change, ${String(r.flags).padStart(3)} flags (${name}): ${r.microsPerAppliedChange} µs (idle for as long: ${r.idleMicrosPerClientForSameTime} µs)   (target: independent of size)`,
  );
}
for (const total of phases.has('fleet') ? fleets : []) {
  const r = results[`clients${total}`];
  if (r.failed) {
    console.log(`  ${String(total).padStart(5)} clients: failed (${r.failed})`);
    continue;
  }
  console.log(
    `  ${String(total).padStart(5)} clients, ${FLEET_CHANGES} changes, all have it: p50 ${ms(r.allHaveItP50ms)} ms   p99 ${ms(r.allHaveItP99ms)} ms   (target p99 ≤ 300 ms at 5,000)   ready ${r.ready}/${total}   missed ${r.missedDeliveries}${r.firstChanges?.allHaveItMs.length ? `; the ${r.firstChanges.changes} changes before them: ${r.firstChanges.allHaveItMs.map((v) => v.toFixed(0)).join(', ')} ms` : ''}`,
  );
  console.log(
    `        server CPU ${r.serverCpuMicrosPerClientChange} µs per client per change (${r.serverCpuMicrosPerClientChangeMarginal ?? '—'} beyond the one-client run's cost per change; target ≤ 15; user ${r.serverUserCpuMicrosPerClientChange}, kernel ${r.serverSystemCpuMicrosPerClientChange}), heap ${r.serverKiBPerConnection} KiB per connection (after GC; RSS ${r.serverRssMiB} MiB); SDK CPU ${r.clientCpuMicrosPerClientChange} µs per client per change (workers' GC ${r.clientGcMsPerChange} ms per change, heap ${r.clientHeapKiBPerClient} KiB per SDK)${r.databaseCpuMicrosPerChange === undefined ? '' : `; PostgreSQL ${(r.databaseCpuMicrosPerChange / 1000).toFixed(1)} ms per change`}`,
  );
  console.log(
    `        ${KILLS} kills/restores (every SDK confirms): all have it (from the request) p50 ${ms(r.kills.allHaveItP50ms)} ms, max ${ms(r.kills.allHaveItMaxMs)} ms; server CPU ${r.kills.serverCpuMicrosPerClientChange} µs per client per change (${r.kills.serverCpuMicrosPerClientChangeLessIdle} less idle); confirmed ${r.kills.confirmations.join(', ')}`,
  );
}
save();
