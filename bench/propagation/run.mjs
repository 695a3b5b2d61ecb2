// npm run bench:propagation — time from the API's response to a change to the SDK's change event:
// one client over 200 changes, and 1,000 / 5,000 connected clients (time until all have it, over
// 20 changes), plus server memory per connection. Real server (built, embedded database), real
// socket.io, real SDK clients in worker processes.
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { percentile, startServer } from '../lib/server.mjs';

const FLAG = 'bench.propagation';
const now = () => performance.timeOrigin + performance.now();
const fleets = (process.env.BENCH_FLEETS ?? '1000,5000').split(',').map(Number);
const server = await startServer({ inspect: true });
const sdkKey = server.sdkKeys.development;
await server.admin('/projects/demo/flags', { method: 'POST', body: JSON.stringify({ key: FLAG, name: 'Propagation probe', kind: 'boolean' }) });
let version = 0;
const toggle = async () => {
  const res = await server.admin(`/projects/demo/flags/${FLAG}/environments/development`, {
    method: 'PATCH',
    body: JSON.stringify({ version, on: version % 2 === 0 }),
  });
  const at = now();
  if (res.status !== 200) throw new Error(`toggle failed: ${res.status} ${await res.text()}`);
  version++;
  const sequence = Number(
    (await (await fetch(`${server.url}/api/v1/sdk/config`, { method: 'HEAD', headers: { authorization: `Bearer ${sdkKey}` } })).headers.get('etag')).replaceAll(
      '"',
      '',
    ),
  );
  return { at, sequence };
};

const startFleet = async (total) => {
  const perWorker = Math.ceil(total / 2);
  const workers = [];
  for (let i = 0; i < 2 && i * perWorker < total; i++) {
    const count = Math.min(perWorker, total - i * perWorker);
    const worker = fork(path.join(import.meta.dirname, 'clients.mjs'), [JSON.stringify({ url: server.url, sdkKey, count, flag: FLAG })], {
      execArgv: ['--max-old-space-size=4096', ...(process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.BENCH_PROFILE] : [])],
    });
    workers.push(worker);
  }
  const ready = await Promise.all(workers.map((w) => new Promise((resolve) => w.once('message', (m) => resolve(m.ready)))));
  return { workers, ready: ready.reduce((a, b) => a + b, 0) };
};

const collect = (workers, sequence) =>
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

// Heap + external memory of the server after a full GC (RSS never shrinks, so it misleads).
const serverMemory = () => server.heapAfterGc();
const cpuMicros = (usage) => usage.user + usage.system;

const results = {};

// One client, 200 changes.
{
  const { workers } = await startFleet(1);
  const latencies = [];
  for (let i = 0; i < 200; i++) {
    const { at, sequence } = await toggle();
    const [report] = await collect(workers, sequence);
    if (report.times.length > 0) latencies.push(report.times[0] - at);
  }
  await stopFleet(workers);
  results.oneClient = { changes: 200, received: latencies.length, p50ms: percentile(latencies, 50), p99ms: percentile(latencies, 99) };
}

for (const total of fleets) {
  await new Promise((r) => setTimeout(r, 2000));
  const memoryBefore = await serverMemory();
  const { workers, ready } = await startFleet(total);
  await new Promise((r) => setTimeout(r, 2000));
  const memoryAfter = await serverMemory();
  const allHaveIt = [];
  let missing = 0;
  // CPU spent per change and per client while the 20 changes are delivered and acknowledged.
  const serverCpuBefore = server.cpuMicros();
  const clientCpuBefore = (await collect(workers, -1)).reduce((sum, r) => sum + cpuMicros(r.cpu), 0);
  for (let i = 0; i < 20; i++) {
    const { at, sequence } = await toggle();
    const reports = await collect(workers, sequence);
    const times = reports.flatMap((r) => r.times);
    missing += reports.reduce((a, r) => a + r.missing, 0);
    if (times.length > 0) allHaveIt.push(Math.max(...times) - at);
  }
  await new Promise((r) => setTimeout(r, 500)); // the last acks
  const clientCpu = (await collect(workers, -1)).reduce((sum, r) => sum + cpuMicros(r.cpu), 0) - clientCpuBefore;
  const serverCpu = server.cpuMicros() - serverCpuBefore;
  await stopFleet(workers);
  results[`clients${total}`] = {
    clients: total,
    ready,
    changes: 20,
    missedDeliveries: missing,
    allHaveItP50ms: percentile(allHaveIt, 50),
    allHaveItP99ms: percentile(allHaveIt, 99),
    allHaveItMs: allHaveIt,
    serverCpuMicrosPerClientChange: Math.round(serverCpu / 20 / total),
    clientCpuMicrosPerClientChange: Math.round(clientCpu / 20 / total),
    serverKiBPerConnection: Math.round((memoryAfter - memoryBefore) / total / 1024),
    serverRssMiB: Math.round(server.rss() / 1048576),
  };
}
await server.stop();

const ms = (v) => (v === undefined ? '—' : v.toFixed(1));
console.log(
  `\nPropagation: API response → SDK change event (node ${process.version}, ${os.cpus().length} CPUs, embedded database, server and clients on one machine)`,
);
console.log(`  one client, 200 changes:         p50 ${ms(results.oneClient.p50ms)} ms   p99 ${ms(results.oneClient.p99ms)} ms   (target p99 ≤ 20 ms)`);
for (const total of fleets) {
  const r = results[`clients${total}`];
  console.log(
    `  ${String(total).padStart(5)} clients, 20 changes, all have it: p50 ${ms(r.allHaveItP50ms)} ms   p99 ${ms(r.allHaveItP99ms)} ms   (target p99 ≤ 1,000 ms at 5,000)   ready ${r.ready}/${total}   missed ${r.missedDeliveries}`,
  );
  console.log(
    `        server: heap ${r.serverKiBPerConnection} KiB per connection (after GC; RSS ${r.serverRssMiB} MiB), CPU ${r.serverCpuMicrosPerClientChange} µs per client per change; SDK CPU ${r.clientCpuMicrosPerClientChange} µs per client per change`,
  );
}
console.log('  reference: Unleash 8 has no push channel; its Node SDK saw a toggle after 9.4 s (p50) at the default 15 s poll');
fs.mkdirSync(path.resolve(import.meta.dirname, '../results'), { recursive: true });
fs.writeFileSync(path.resolve(import.meta.dirname, '../results/propagation.json'), JSON.stringify({ date: new Date().toISOString(), ...results }, null, 2));
