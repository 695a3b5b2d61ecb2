// npm run bench:fleet — several server instances on one real PostgreSQL, with a fleet of SDK
// connections spread across them (and across a relay, when one is given), on the 200 flags and 20
// segments of bench/startup/flagset.mjs. A change is made through one instance's API; the bench
// reports the time until every connected SDK has it (p50/p99 over the changes), server heap per
// connection, and server CPU per change and per connection. Then it feeds those measured costs into
// a model of a larger fleet (FLEET_MODEL_SDKS over FLEET_MODEL_INSTANCES instances) and prints it.
//   FLEET_INSTANCES (3), FLEET_CLIENTS (20000), FLEET_WORKERS (4), FLEET_CHANGES (10),
//   FLEET_RELAY=0 (no relay), FLEET_RELAY_CMD (the command line that starts the relay, default `npx signalbox relay …`: {upstream} and {sdkKey} and {port} are
//   replaced; its clients count towards FLEET_CLIENTS), BENCH_PG_URL, BENCH_MAIN (another build's
//   server/dist/src/main.js, for before/after comparisons), BENCH_OUT (results file instead of bench/results/fleet.json).
import { fork, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { percentile, startServer } from '../lib/server.mjs';
import { FLAG_COUNT, FLAGS, loadSignalbox, SEGMENT_COUNT, SIGNALBOX_ENV, SIGNALBOX_PROJECT } from '../startup/flagset.mjs';
import { createDatabase, dropDatabase, freePort, pgAnswers } from '../startup/processes.mjs';

const INSTANCES = Number(process.env.FLEET_INSTANCES ?? 3);
const CLIENTS = Number(process.env.FLEET_CLIENTS ?? 20_000);
const WORKERS = Number(process.env.FLEET_WORKERS ?? 4);
const CHANGES = Number(process.env.FLEET_CHANGES ?? 10);
const MODEL_SDKS = Number(process.env.FLEET_MODEL_SDKS ?? 100_000);
const MODEL_INSTANCES = Number(process.env.FLEET_MODEL_INSTANCES ?? 20);
// A relay is part of the fleet by default, started as a user would (`npx signalbox relay`); FLEET_RELAY=0 leaves it out.
const DEFAULT_RELAY_CMD = 'npx --no-install signalbox relay --upstream {upstream} --sdk-key {sdkKey} --port {port} --host 127.0.0.1';
const RELAY_CMD = process.env.FLEET_RELAY === '0' ? undefined : (process.env.FLEET_RELAY_CMD ?? DEFAULT_RELAY_CMD);
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const MAIN = process.env.BENCH_MAIN ? { main: path.resolve(process.env.BENCH_MAIN) } : {};

if (!(await pgAnswers())) {
  console.error('bench:fleet needs PostgreSQL (BENCH_PG_URL, default postgres://postgres@127.0.0.1:5432/postgres)');
  process.exit(1);
}
const dbName = 'signalbox_fleet_bench';
const databaseUrl = await createDatabase(dbName);
const servers = [];
let relay = null;
try {
  // The first instance migrates the empty database; the others start on it.
  servers.push(await startServer({ inspect: true, env: { DATABASE_URL: databaseUrl, SIGNALBOX_DEMO: 'false' }, ...MAIN }));
  for (let i = 1; i < INSTANCES; i++) servers.push(await startServer({ inspect: true, env: { DATABASE_URL: databaseUrl, SIGNALBOX_DEMO: 'false' }, ...MAIN }));
  const { sdkKey } = await loadSignalbox(servers[0].admin);
  const flag = FLAGS.find((f) => f.kind === 'boolean').key;
  const targets = servers.map((s) => s.url);
  if (RELAY_CMD) {
    const port = await freePort();
    const command = RELAY_CMD.replaceAll('{upstream}', servers[0].url).replaceAll('{sdkKey}', sdkKey).replaceAll('{port}', String(port));
    // Its own process group: npx starts a shell and then node, and all of them must stop with the bench.
    relay = spawn('sh', ['-c', command], { stdio: ['ignore', 'ignore', 'inherit'], detached: true });
    const url = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      if (i > 300) throw new Error('the relay did not answer within 30 s');
      if (
        await fetch(`${url}/readyz`).then(
          (r) => r.ok,
          () => false,
        )
      )
        break;
      await sleep(100);
    }
    targets.push(url);
  }

  const configPath = `/projects/${SIGNALBOX_PROJECT}/flags/${flag}/environments/${SIGNALBOX_ENV}`;
  const toggle = async (on) => {
    const current = await (await servers[0].admin(configPath)).json();
    const res = await servers[0].admin(configPath, { method: 'PATCH', body: JSON.stringify({ version: current.version, on, reason: 'fleet bench' }) });
    const at = now();
    if (res.status !== 200) throw new Error(`toggle failed: ${res.status} ${await res.text()}`);
    // The write names its change-log sequence (older builds under BENCH_MAIN: the config's ETag,
    // whose read rebuilds the snapshot, a cost of the bench's own).
    const written = Number(res.headers.get('signalbox-sequence') ?? NaN);
    if (Number.isSafeInteger(written)) return { at, sequence: written };
    const etag = (await fetch(`${servers[0].url}/api/v1/sdk/config`, { method: 'HEAD', headers: { authorization: `Bearer ${sdkKey}` } })).headers.get('etag');
    return { at, sequence: Number(etag.replaceAll('"', '')) };
  };

  // What a change costs each instance with nobody connected: the API write, NOTIFY, relaying it.
  const idleBefore = servers.map((s) => s.cpuMicros());
  for (let i = 0; i < CHANGES; i++) {
    await toggle(i % 2 === 0);
    await sleep(100);
  }
  const fixedPerInstance = servers.map((s, i) => (s.cpuMicros() - idleBefore[i]) / CHANGES);

  const heapBefore = await Promise.all(servers.map((s) => s.heapAfterGc()));
  const perWorker = Math.ceil(CLIENTS / WORKERS);
  const workers = [];
  for (let i = 0; i < WORKERS && i * perWorker < CLIENTS; i++) {
    const count = Math.min(perWorker, CLIENTS - i * perWorker);
    workers.push(
      fork(path.join(import.meta.dirname, 'clients.mjs'), [JSON.stringify({ urls: targets, sdkKey, count, offset: i * perWorker, flag })], {
        execArgv: ['--max-old-space-size=8192'],
      }),
    );
  }
  const readyStarted = now();
  const ready = (await Promise.all(workers.map((w) => new Promise((resolve) => w.once('message', (m) => resolve(m.ready)))))).reduce((a, b) => a + b, 0);
  const connectSeconds = (now() - readyStarted) / 1000;
  await sleep(2000);
  const heapAfter = await Promise.all(servers.map((s) => s.heapAfterGc()));
  const perTarget = CLIENTS / targets.length;

  const collect = (sequence) =>
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
            w.send({ type: 'collect', sequence });
          }),
      ),
    );
  const cpuOf = (reports) => reports.reduce((sum, r) => sum + r.cpu.user + r.cpu.system, 0);

  const allHaveIt = [];
  let missing = 0;
  const serverCpuBefore = servers.map((s) => s.cpuMicros());
  const clientCpuBefore = cpuOf(await collect(-1));
  for (let i = 0; i < CHANGES; i++) {
    const { at, sequence } = await toggle(i % 2 === 0);
    const reports = await collect(sequence);
    const times = reports.flatMap((r) => r.times);
    missing += reports.reduce((a, r) => a + r.missing, 0);
    if (times.length > 0) allHaveIt.push(Math.max(...times) - at);
  }
  await sleep(500);
  const clientCpu = cpuOf(await collect(-1)) - clientCpuBefore;
  const serverCpu = servers.map((s, i) => s.cpuMicros() - serverCpuBefore[i]);
  await Promise.all(workers.map((w) => new Promise((resolve) => (w.once('exit', resolve), w.send({ type: 'close' })))));

  const connectionsPerInstance = CLIENTS / targets.length;
  const kibPerConnection = heapAfter.reduce((sum, after, i) => sum + (after - heapBefore[i]), 0) / (perTarget * servers.length) / 1024;
  // Every instance relays every change (NOTIFY), so its CPU per change is a fixed part plus a part per connection.
  const cpuPerChangePerInstance = serverCpu.map((micros) => micros / CHANGES);
  const fanOutMicros = cpuPerChangePerInstance.reduce((sum, micros, i) => sum + Math.max(0, micros - fixedPerInstance[i]), 0);
  const cpuPerConnectionChange = fanOutMicros / (perTarget * servers.length);
  const results = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    loadAverage: os.loadavg()[0],
    data: { flags: FLAG_COUNT, segments: SEGMENT_COUNT, source: 'bench/startup/flagset.mjs' },
    instances: INSTANCES,
    relay: Boolean(RELAY_CMD),
    clients: CLIENTS,
    ready,
    connectSeconds: Math.round(connectSeconds * 10) / 10,
    changes: CHANGES,
    missedDeliveries: missing,
    allHaveItP50ms: percentile(allHaveIt, 50),
    allHaveItP99ms: percentile(allHaveIt, 99),
    allHaveItMs: allHaveIt.map((v) => Math.round(v)),
    serverKiBPerConnection: Math.round(kibPerConnection * 10) / 10,
    serverCpuMicrosPerChangePerInstance: cpuPerChangePerInstance.map(Math.round),
    serverCpuMicrosPerChangeIdle: fixedPerInstance.map(Math.round),
    serverCpuMicrosPerConnectionChange: Math.round(cpuPerConnectionChange * 10) / 10,
    clientCpuMicrosPerClientChange: Math.round((clientCpu / CHANGES / CLIENTS) * 10) / 10,
  };

  // The model: an instance delivers a change to its n connections in (fixed + n × perConnection) of
  // CPU on one core, and the slowest instance decides when the last SDK has it.
  // The fixed part of an instance that did not serve the API (the others only relay).
  const fixedMicros = Math.min(...fixedPerInstance);
  const modelPerInstance = MODEL_SDKS / MODEL_INSTANCES;
  const measuredLastMs = results.allHaveItP50ms;
  const measuredCpuMs = (fixedMicros + cpuPerConnectionChange * connectionsPerInstance) / 1000;
  const modelCpuMs = (fixedMicros + cpuPerConnectionChange * modelPerInstance) / 1000;
  results.model = {
    sdks: MODEL_SDKS,
    instances: MODEL_INSTANCES,
    connectionsPerInstance: modelPerInstance,
    fixedCpuMicrosPerChange: Math.round(fixedMicros),
    cpuMsPerChangePerInstance: Math.round(modelCpuMs * 10) / 10,
    clusterCpuMsPerChange: Math.round(modelCpuMs * MODEL_INSTANCES * 10) / 10,
    // What the measured run spent outside the fan-out (NOTIFY, the API, the network) carries over.
    estimatedAllHaveItMs: Math.round(Math.max(0, measuredLastMs - measuredCpuMs) + modelCpuMs),
    heapMiBPerInstance: Math.round((modelPerInstance * kibPerConnection) / 1024),
  };

  console.log(
    `\nFleet: ${INSTANCES} instances on one PostgreSQL${RELAY_CMD ? ' + a relay' : ''}, ${CLIENTS.toLocaleString('en-US')} SDK connections in ${workers.length} worker processes, ${FLAG_COUNT} flags (node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(1)})`,
  );
  console.log(`  connected ${ready}/${CLIENTS} in ${results.connectSeconds} s; ${CHANGES} changes, missed deliveries ${missing}`);
  console.log(`  until all have it: p50 ${Math.round(results.allHaveItP50ms)} ms, p99 ${Math.round(results.allHaveItP99ms)} ms`);
  console.log(
    `  server: heap ${results.serverKiBPerConnection} KiB per connection; CPU ${results.serverCpuMicrosPerConnectionChange} µs per connection per change; per change per instance ${results.serverCpuMicrosPerChangePerInstance.map((v) => `${(v / 1000).toFixed(1)} ms`).join(', ')} (with nobody connected: ${results.serverCpuMicrosPerChangeIdle.map((v) => `${(v / 1000).toFixed(1)} ms`).join(', ')})`,
  );
  console.log(`  SDK: CPU ${results.clientCpuMicrosPerClientChange} µs per client per change (the clients share the 2 cores with the servers)`);
  const m = results.model;
  console.log(
    `  model, ${m.sdks.toLocaleString('en-US')} SDKs over ${m.instances} instances (${m.connectionsPerInstance.toLocaleString('en-US')} each): ${m.cpuMsPerChangePerInstance} ms CPU per change per instance, ${m.clusterCpuMsPerChange} ms cluster-wide; last SDK after about ${m.estimatedAllHaveItMs} ms; ${m.heapMiBPerInstance} MiB heap per instance for connections`,
  );
  const out = path.resolve(process.env.BENCH_OUT ?? path.join(import.meta.dirname, '../results/fleet.json'));
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify(results, null, 2));
} finally {
  if (relay) {
    try {
      process.kill(-relay.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  await Promise.all(servers.map((s) => s.stop().catch(() => {})));
  await dropDatabase(dbName).catch(() => {});
}
