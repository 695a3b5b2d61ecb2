// A worker that holds many SDK clients and reports, per change, when each client saw it, and its
// own CPU, garbage collection and heap. Options (environment):
//   BENCH_SDK_MODULE=<another build's sdk/dist/bundle/index.js>: that SDK instead (before/after comparisons);
//   BENCH_GC_DETAIL=1: prints, per change, the collections that ran while the worker's clients applied it;
//   BENCH_ALLOC_PROFILE=<dir>: writes a sampling profile of every allocation (kept or not) from the
//   full collection before the changes to the end, to see what a change allocates.
import { PerformanceObserver } from 'node:perf_hooks';
const { createClient } = await import(process.env.BENCH_SDK_MODULE ?? '@signalbox/sdk');

const now = () => performance.timeOrigin + performance.now();
const { url, sdkKey, count, flag } = JSON.parse(process.argv[2]);
const quiet = { warn: () => {}, error: () => {}, debug: () => {} };
const clients = [];
const seen = new Map(); // version -> array of times
// Time this process spent in garbage collection (its SDKs' share of a change's cost that grows with their heap).
let gcMs = 0;
let allocSession;
const gcLog = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    gcMs += entry.duration;
    if (process.env.BENCH_GC_DETAIL) gcLog.push([performance.timeOrigin + entry.startTime, entry.duration, entry.detail?.kind]);
  }
}).observe({ entryTypes: ['gc'] });

/** The collections (kind: 1 minor, 4 major, 8 incremental; start: ms of the clock modulo 100 s; duration) around one change. */
const printCollections = (sequence, times) => {
  const [first, last] = [Math.min(...times), Math.max(...times)];
  const during = gcLog.filter(([at, ms]) => at + ms >= first - 1000 && at <= last);
  const list = during.map(([at, ms, kind]) => `${kind}@${(at % 100_000).toFixed(0)}:${ms.toFixed(0)}`).join(' ');
  process.stderr.write(
    `[worker ${process.pid}] sequence ${sequence}: first at ${(first % 100_000).toFixed(0)}, last ${(last - first).toFixed(0)} ms later; GC ${list}\n`,
  );
};

for (let i = 0; i < count; i++) {
  const client = createClient({ url, sdkKey, logger: quiet });
  client.on(`change:${flag}`, () => {
    const version = client.details(flag, { targetingKey: 'x' }, false).value === true ? 'on' : 'off';
    const at = now();
    const list = seen.get(client.sequence) ?? [];
    list.push(at);
    seen.set(client.sequence, list);
    void version;
  });
  clients.push(client);
  // Stagger connections (1,000 a second per worker): each new client gets a snapshot of the whole
  // environment, and a storm of them would time out; the bench is about changes, not reconnects.
  if (i % 100 === 99) await new Promise((r) => setTimeout(r, 100));
}
await Promise.all(clients.map((c) => c.waitForReady({ timeoutMs: 120_000 })));
const statuses = {};
for (const c of clients) statuses[c.status] = (statuses[c.status] ?? 0) + 1;
process.send({ type: 'ready', ready: statuses.ready ?? 0, statuses });

process.on('message', async (message) => {
  if (message.type === 'collect' && message.sequence === -1 && message.gc && process.env.BENCH_ALLOC_PROFILE) {
    const inspector = await import('node:inspector');
    allocSession = new inspector.Session();
    allocSession.connect();
    allocSession.post('HeapProfiler.startSampling', { samplingInterval: 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  }
  if (message.type === 'close' && allocSession) {
    const { profile } = await new Promise((resolve, reject) =>
      allocSession.post('HeapProfiler.stopSampling', (error, result) => (error ? reject(error) : resolve(result))),
    );
    const fs = await import('node:fs');
    fs.writeFileSync(`${process.env.BENCH_ALLOC_PROFILE}/alloc-${process.pid}.heapprofile`, JSON.stringify(profile));
  }
  if (message.type === 'collect' && message.sequence === -1) {
    // Asked once, before the changes: the heap the clients hold, after a full collection (--expose-gc).
    if (message.gc) globalThis.gc?.();
    process.send({ type: 'times', sequence: -1, times: [], missing: 0, cpu: process.cpuUsage(), gcMs, heapUsed: process.memoryUsage().heapUsed });
    return;
  }
  if (message.type === 'collect') {
    const deadline = Date.now() + 10_000;
    while ((seen.get(message.sequence)?.length ?? 0) < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    const times = seen.get(message.sequence) ?? [];
    if (process.env.BENCH_GC_DETAIL && times.length > 0) printCollections(message.sequence, times);
    process.send({ type: 'times', sequence: message.sequence, times, missing: count - times.length, cpu: process.cpuUsage() });
  }
  if (message.type === 'close') {
    await Promise.all(clients.map((c) => c.close()));
    process.exit(0);
  }
});
