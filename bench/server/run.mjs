// npm run bench:server — HTTP throughput of the config snapshot (200 and 304), remote
// evaluation and OFREP (single flag, bulk 200 and bulk 304): autocannon, 10 connections, 15 s
// each, over loopback, against the built server on the embedded database. The data is the 200 flags
// and 20 segments of bench/startup/flagset.mjs (rules over several operators, segments, individual
// targets, percentage rollouts), written through the API; unleash-server gets the same flags through
// its own API and is measured in the same run on its client API (full fetch and 304), when
// PostgreSQL answers (BENCH_PG_URL) and BENCH_NO_UNLEASH is unset. BENCH_ONLY=ofrep,remote runs only
// the scenarios whose name contains one of these (and then writes no results file).
import fs from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import { startServer } from '../lib/server.mjs';
import { FLAG_COUNT, FLAGS, loadSignalbox, loadUnleash, SEGMENT_COUNT, UNLEASH_ADMIN_TOKEN } from '../startup/flagset.mjs';
import { createDatabase, dropDatabase, ensureUnleash, freePort, pgAnswers, startTimed } from '../startup/processes.mjs';

const DURATION = Number(process.env.BENCH_DURATION ?? 15);
const UNLEASH_VERSION = process.env.BENCH_UNLEASH_VERSION ?? '8.2.0';
const UNLEASH_CLIENT_TOKEN = 'default:production.server-bench-client-token';
const root = path.resolve(import.meta.dirname, '../..');

const server = await startServer({ env: { SIGNALBOX_DEMO: 'false' } });
const { sdkKey: key } = await loadSignalbox(server.admin);
if (!key) throw new Error('the bench project has no production SDK key');
// A string flag with rules, targets and a rollout: what a remote evaluation typically walks.
const evaluated = FLAGS.find((f) => f.kind === 'string' && f.rules.length > 0 && f.on)?.key ?? FLAGS[1].key;
const context = { targetingKey: 'user-42', plan: 'pro', country: 'de', appVersion: '2.4.1', email: 'ana@example.com' };
const auth = { authorization: `Bearer ${key}` };
const etag = (await fetch(`${server.url}/api/v1/sdk/config`, { headers: auth })).headers.get('etag');
const ofrepBody = JSON.stringify({ context });
const ofrepHeaders = { ...auth, 'content-type': 'application/json' };
const ofrepEtag = (await fetch(`${server.url}/ofrep/v1/evaluate/flags`, { method: 'POST', headers: ofrepHeaders, body: ofrepBody })).headers.get('etag');

const scenarios = [
  { name: 'snapshot 200', path: '/api/v1/sdk/config', method: 'GET', headers: auth, expect: 200 },
  { name: 'snapshot 304', path: '/api/v1/sdk/config', method: 'GET', headers: { ...auth, 'if-none-match': etag }, expect: 304 },
  {
    name: 'remote evaluation',
    path: `/api/v1/sdk/evaluate/${evaluated}`,
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ context, defaultValue: 'v1' }),
    expect: 200,
  },
  { name: 'ofrep single', path: `/ofrep/v1/evaluate/flags/${evaluated}`, method: 'POST', headers: ofrepHeaders, body: ofrepBody, expect: 200 },
  { name: 'ofrep bulk 200', path: '/ofrep/v1/evaluate/flags', method: 'POST', headers: ofrepHeaders, body: ofrepBody, expect: 200 },
  {
    name: 'ofrep bulk 304',
    path: '/ofrep/v1/evaluate/flags',
    method: 'POST',
    headers: { ...ofrepHeaders, 'if-none-match': ofrepEtag },
    body: ofrepBody,
    expect: 304,
  },
].filter((s) => !process.env.BENCH_ONLY || process.env.BENCH_ONLY.split(',').some((part) => s.name.includes(part)));

/** unleash-server on its own database with the same flags, or null when it cannot run here. */
const startUnleash = async () => {
  if (process.env.BENCH_NO_UNLEASH || process.env.BENCH_ONLY || !(await pgAnswers())) return null;
  const entry = ensureUnleash(UNLEASH_VERSION, path.join(root, 'bench/.peers'));
  const dbName = 'unleash_server_bench';
  const databaseUrl = await createDatabase(dbName);
  const port = await freePort();
  const started = await startTimed({
    command: process.execPath,
    args: [entry],
    cwd: path.dirname(entry),
    env: {
      DATABASE_URL: databaseUrl,
      DATABASE_SSL: 'false',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      INIT_ADMIN_API_TOKENS: UNLEASH_ADMIN_TOKEN,
      INIT_CLIENT_API_TOKENS: UNLEASH_CLIENT_TOKEN,
      CHECK_VERSION: 'false',
      SEND_TELEMETRY: 'false',
    },
    readyUrl: `http://127.0.0.1:${port}/health`,
  });
  const url = `http://127.0.0.1:${port}`;
  await loadUnleash(url);
  return {
    url,
    stop: async () => {
      await started.stop();
      await dropDatabase(dbName);
    },
  };
};

const measure = async (base, s) => {
  const r = await autocannon({ url: base + s.path, method: s.method, headers: s.headers, body: s.body, connections: 10, duration: DURATION });
  const wrong = r.statusCodeStats ? Object.entries(r.statusCodeStats).filter(([code]) => Number(code) !== s.expect) : [];
  return {
    scenario: s.name,
    requestsPerSecond: Math.round(r.requests.average),
    latencyP50ms: r.latency.p50,
    latencyP99ms: r.latency.p99,
    errors: r.errors + r.non2xx - (s.expect === 304 ? (r['3xx'] ?? 0) : 0),
    unexpectedStatus: Object.fromEntries(wrong),
  };
};

const results = [];
for (const s of scenarios) results.push(await measure(server.url, s));
await server.stop();

// The peer, after Signalbox has stopped, so the two never share the cores.
const unleash = await startUnleash();
if (unleash) {
  const headers = { authorization: UNLEASH_CLIENT_TOKEN };
  const features = await fetch(`${unleash.url}/api/client/features`, { headers });
  const unleashEtag = features.headers.get('etag');
  const count = ((await features.json()).features ?? []).length;
  if (count !== FLAG_COUNT) throw new Error(`unleash-server serves ${count} features, expected ${FLAG_COUNT}`);
  const peer = [
    { name: 'unleash 200', path: '/api/client/features', method: 'GET', headers, expect: 200 },
    ...(unleashEtag
      ? [{ name: 'unleash 304', path: '/api/client/features', method: 'GET', headers: { ...headers, 'if-none-match': unleashEtag }, expect: 304 }]
      : []),
  ];
  try {
    for (const s of peer) results.push(await measure(unleash.url, s));
  } finally {
    await unleash.stop();
  }
}

console.log(
  `\nServer throughput, ${FLAG_COUNT} flags and ${SEGMENT_COUNT} segments (autocannon, 10 connections, ${DURATION} s each, loopback; node ${process.version}, ${(await import('node:os')).cpus().length} CPUs)`,
);
console.log('  scenario               req/s     p50 ms   p99 ms');
for (const r of results)
  console.log(
    `  ${r.scenario.padEnd(20)} ${String(r.requestsPerSecond).padStart(7)}   ${String(r.latencyP50ms).padStart(6)}   ${String(r.latencyP99ms).padStart(6)}${Object.keys(r.unexpectedStatus).length ? `  unexpected: ${JSON.stringify(r.unexpectedStatus)}` : ''}`,
  );
if (!unleash) console.log('  (unleash-server not measured: PostgreSQL did not answer, or BENCH_NO_UNLEASH / BENCH_ONLY is set)');
if (!process.env.BENCH_ONLY) {
  fs.mkdirSync(path.resolve(import.meta.dirname, '../results'), { recursive: true });
  fs.writeFileSync(
    path.resolve(import.meta.dirname, '../results/server.json'),
    JSON.stringify(
      {
        date: new Date().toISOString(),
        durationSeconds: DURATION,
        data: { flags: FLAG_COUNT, segments: SEGMENT_COUNT, source: 'bench/startup/flagset.mjs' },
        unleashVersion: unleash ? UNLEASH_VERSION : null,
        results,
      },
      null,
      2,
    ),
  );
}
