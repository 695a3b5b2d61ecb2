// npm run bench:relay (or node bench/relay/run.mjs after `node scripts/build.mjs`) — what a relay
// adds and what it holds. Prints each figure beside its target and saves bench/results/relay.json
// (BENCH_RELAY_OUT: another file).
// Real server (built, embedded database, or DATABASE_URL), the built relay as its own process,
// clients in worker processes.
//
// Data: the startup bench's environment (bench/startup/flagset.mjs: 200 flags with targets, rules,
// segments and rollouts, 20 segments) plus one probe flag, the same as bench:propagation.
//
//   - added latency: one SDK client on the server and one on the relay, in two worker processes;
//     200 changes; per change, (relay client's change event − direct client's), p50 and p99;
//   - connections: fleets of raw SDK socket.io connections (BENCH_RELAY_FLEETS, default
//     5000,10000,20000) in 4 worker processes, connecting with the sequence they hold (as a fleet
//     with a cache file reconnects); per fleet, 10 changes: time from the API's answer until the
//     last connection has it, relay CPU per connection per change, and relay RSS per connection.
//     A fleet larger than the relay's open-file limit allows (one descriptor per connection, plus
//     the ones it holds idle and a margin of 50) is reduced to what fits, and the bench says so.
// The relay is pinned to one core (taskset -c 1) unless BENCH_RELAY_PIN=off.
import { fork } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { percentile, startServer } from '../lib/server.mjs';
import { FLAG_COUNT, SEGMENT_COUNT, loadSignalbox, SIGNALBOX_ENV, SIGNALBOX_PROJECT } from '../startup/flagset.mjs';
import { startRelay } from './relay-process.mjs';

const FLAG = 'bench.relay';
const LATENCY_CHANGES = Number(process.env.BENCH_RELAY_CHANGES ?? 200);
const FLEET_CHANGES = 10;
const WORKERS = 4;
const fleets = (process.env.BENCH_RELAY_FLEETS ?? '5000,10000,20000').split(',').map(Number);
const OUT = process.env.BENCH_RELAY_OUT ?? path.join(import.meta.dirname, '../results/relay.json');
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const round = (n, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

const server = await startServer();
const expectOk = async (res, what) => {
  if (!res.ok) throw new Error(`${what}: ${res.status} ${await res.text()}`);
  return res.json().catch(() => undefined);
};
const { sdkKey } = await loadSignalbox(server.admin);
const flagPath = `/projects/${SIGNALBOX_PROJECT}/flags/${FLAG}/environments/${SIGNALBOX_ENV}`;
await expectOk(
  await server.admin(`/projects/${SIGNALBOX_PROJECT}/flags`, { method: 'POST', body: JSON.stringify({ key: FLAG, name: FLAG, kind: 'boolean' }) }),
  'flag',
);
let version = 0;
const head = async () =>
  Number(
    (await fetch(`${server.url}/api/v1/sdk/config`, { method: 'HEAD', headers: { authorization: `Bearer ${sdkKey}` } })).headers
      .get('etag')
      .replaceAll('"', ''),
  );
const toggle = async () => {
  const res = await server.admin(flagPath, { method: 'PATCH', body: JSON.stringify({ version, on: version % 2 === 0, reason: 'relay bench' }) });
  const at = now();
  version = (await expectOk(res, 'toggle')).version;
  return { at, sequence: await head() };
};

const relay = await startRelay({ upstream: server.url, sdkKeys: [sdkKey], pinCpu: process.env.BENCH_RELAY_PIN === 'off' ? undefined : 1 });
// Whatever fails below, neither process outlives the bench.
const children = new Set();
const stopAll = async () => {
  for (const child of children) child.kill();
  await relay.stop().catch(() => undefined);
  await server.stop().catch(() => undefined);
};
process.once('SIGTERM', () => void stopAll().then(() => process.exit(1)));
process.on('uncaughtException', (err) => {
  console.error(err);
  void stopAll().then(() => process.exit(1));
});
process.on('unhandledRejection', (err) => {
  console.error(err);
  void stopAll().then(() => process.exit(1));
});
for (let waited = 0; (await fetch(`${relay.url}/readyz`)).status !== 200; waited += 100) {
  if (waited > 30_000) throw new Error(`the relay did not become ready:\n${relay.output()}`);
  await sleep(100);
}
const config = await expectOk(await fetch(`${relay.url}/api/v1/sdk/config`, { headers: { authorization: `Bearer ${sdkKey}` } }), 'relay config');
const results = {
  data: `bench/startup/flagset.mjs: ${FLAG_COUNT} flags + the probe (${config.flags.length} flags), ${SEGMENT_COUNT} segments (${config.segments.length})`,
  cores: (await import('node:os')).cpus().length,
};

const track = (child) => {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
};
const message = (worker, type, extra = {}) =>
  new Promise((resolve) => {
    const handler = (m) => {
      if (m.type === 'times' || m.ready !== undefined || m.type === 'ready') {
        worker.off('message', handler);
        resolve(m);
      }
    };
    worker.on('message', handler);
    worker.send({ type, ...extra });
  });
const readyOf = (worker) => new Promise((resolve) => worker.once('message', resolve));

// Added latency: the same change, seen by a client of the server and a client of the relay.
{
  const clientsJs = path.join(import.meta.dirname, '../propagation/clients.mjs');
  const spawnClient = (url) => {
    const child = fork(clientsJs, [JSON.stringify({ url, sdkKey, count: 1, flag: FLAG })]);
    children.add(child);
    return child;
  };
  const direct = spawnClient(server.url);
  const relayed = spawnClient(relay.url);
  await Promise.all([readyOf(direct), readyOf(relayed)]);
  const added = [];
  const directTimes = [];
  const relayTimes = [];
  for (let i = 0; i < LATENCY_CHANGES; i++) {
    const { at, sequence } = await toggle();
    const [a, b] = await Promise.all([message(direct, 'collect', { sequence }), message(relayed, 'collect', { sequence })]);
    if (a.times.length === 0 || b.times.length === 0) {
      console.error(`change ${sequence}: direct client ${a.times.length ? 'saw it' : 'missed it'}, relay client ${b.times.length ? 'saw it' : 'missed it'}`);
      continue;
    }
    directTimes.push(a.times[0] - at);
    relayTimes.push(b.times[0] - at);
    added.push(b.times[0] - a.times[0]);
  }
  for (const w of [direct, relayed]) w.send({ type: 'close' });
  results.latency = {
    changes: LATENCY_CHANGES,
    measured: added.length,
    directP50ms: round(percentile(directTimes, 50)),
    relayP50ms: round(percentile(relayTimes, 50)),
    addedP50ms: round(percentile(added, 50)),
    addedP99ms: round(percentile(added, 99)),
    target: 'added p50 <= 5 ms',
  };
  console.log(JSON.stringify({ latency: results.latency }));
}

// Connections one relay process holds.
results.fleets = [];
for (const requested of fleets) {
  await sleep(1000);
  // One descriptor per connection: a fleet beyond the relay's open-file limit cannot connect at all.
  const fits = relay.openFilesLimit() - relay.openFiles() - 50;
  const total = Math.min(requested, fits);
  if (total < requested)
    console.log(`fleet of ${requested}: the relay's open-file limit is ${relay.openFilesLimit()} (${relay.openFiles()} in use idle), so ${total} connect`);
  const rssBefore = relay.rss();
  const sequence = await head();
  const workers = [];
  for (let i = 0; i < WORKERS; i++) {
    const count = Math.ceil(total / WORKERS) - (i < Math.ceil(total / WORKERS) * WORKERS - total ? 1 : 0);
    workers.push(
      track(
        fork(path.join(import.meta.dirname, 'sockets.mjs'), [JSON.stringify({ url: relay.url, sdkKey, count, sequence, localAddress: true })], {
          execArgv: ['--max-old-space-size=4096'],
        }),
      ),
    );
  }
  const started = now();
  const ready = await Promise.all(workers.map(readyOf));
  const connected = ready.reduce((sum, r) => sum + r.connected, 0);
  const failed = ready.reduce((sum, r) => sum + r.failed, 0);
  const connectSeconds = (now() - started) / 1000;
  await sleep(2000);
  const rssHeld = relay.rss();
  const lastArrival = [];
  let complete = 0;
  let dropped = 0;
  const cpuBefore = relay.cpuMicros();
  for (let i = 0; i < FLEET_CHANGES; i++) {
    const { at, sequence: s } = await toggle();
    const reports = await Promise.all(workers.map((w) => message(w, 'collect', { sequence: s })));
    const received = reports.reduce((sum, r) => sum + r.received, 0);
    dropped = reports.reduce((sum, r) => sum + r.dropped, 0);
    if (received === connected - dropped) complete++;
    lastArrival.push(Math.max(...reports.map((r) => r.last)) - at);
  }
  const cpuPerClientPerChangeUs = (relay.cpuMicros() - cpuBefore) / FLEET_CHANGES / Math.max(1, connected);
  // The relay reports its clients' acks within 50 ms; give a loaded machine a moment more.
  await sleep(1500);
  const delivery = await expectOk(await server.admin(`/projects/${SIGNALBOX_PROJECT}/environments/${SIGNALBOX_ENV}/delivery`), 'delivery');
  const fleet = {
    requested,
    tried: total,
    ...(total < requested ? { limitedBy: `relay open-file limit ${relay.openFilesLimit()}` } : {}),
    connected,
    failed,
    droppedDuringRun: dropped,
    relayOpenFiles: relay.openFiles(),
    connectSeconds: round(connectSeconds, 1),
    changes: FLEET_CHANGES,
    changesReachingEveryLiveConnection: complete,
    untilLastP50ms: round(percentile(lastArrival, 50)),
    untilLastP99ms: round(percentile(lastArrival, 99)),
    relayCpuPerConnectionPerChangeUs: round(cpuPerClientPerChangeUs),
    relayRssPerConnectionKiB: round((rssHeld - rssBefore) / Math.max(1, connected) / 1024, 1),
    relayRssMiB: round(rssHeld / 2 ** 20, 1),
    upstreamDelivery: { connected: delivery.connected, confirmed: delivery.confirmed },
  };
  results.fleets.push(fleet);
  console.log(JSON.stringify({ fleet }));
  await Promise.all(workers.map((w) => new Promise((r) => (w.once('exit', r), w.send({ type: 'close' })))));
}

results.target = 'one relay process on one core holds 20,000 connections; added p50 <= 5 ms';
results.load = (await import('node:os')).loadavg().map((n) => round(n, 1));
results.date = new Date().toISOString();
console.log(JSON.stringify(results, null, 2));
fs.writeFileSync(OUT, `${JSON.stringify(results, null, 2)}\n`);
const largest = results.fleets.reduce((a, b) => (b.connected > (a?.connected ?? -1) ? b : a), undefined);
const held = largest ? largest.connected - largest.droppedDuringRun : 0;
console.log('\nfigure                                    measured          target');
console.log(
  `added latency server -> relay -> SDK p50  ${String(results.latency.addedP50ms).padStart(7)} ms        <= 5 ms  ${results.latency.addedP50ms <= 5 ? 'met' : 'NOT met'}`,
);
console.log(
  `connections one relay (one core) holds    ${String(held).padStart(7)} of ${largest?.requested ?? 0}  20,000  ${held >= 20_000 ? 'met' : `NOT met${largest?.limitedBy ? ` (${largest.limitedBy})` : ''}`}`,
);
console.log(`saved ${path.relative(process.cwd(), OUT)}`);
await stopAll();
process.exit(0);
