// npm run bench:server — HTTP throughput of the config snapshot (200 and 304), remote
// evaluation and OFREP (single flag, bulk 200 and bulk 304): autocannon, 10 connections, 15 s
// each, over loopback, against the built server. BENCH_ONLY=ofrep,remote runs only the scenarios whose
// name contains one of these (and then writes no results file).
import fs from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import { startServer } from '../lib/server.mjs';

const DURATION = Number(process.env.BENCH_DURATION ?? 15);
const server = await startServer();
const key = server.sdkKeys.production;
const auth = { authorization: `Bearer ${key}` };
const etag = (await fetch(`${server.url}/api/v1/sdk/config`, { headers: auth })).headers.get('etag');
const ofrepBody = JSON.stringify({ context: { targetingKey: 'user-42', plan: 'pro' } });
const ofrepHeaders = { ...auth, 'content-type': 'application/json' };
const ofrepEtag = (await fetch(`${server.url}/ofrep/v1/evaluate/flags`, { method: 'POST', headers: ofrepHeaders, body: ofrepBody })).headers.get('etag');

const scenarios = [
  { name: 'snapshot 200', path: '/api/v1/sdk/config', method: 'GET', headers: auth, expect: 200 },
  { name: 'snapshot 304', path: '/api/v1/sdk/config', method: 'GET', headers: { ...auth, 'if-none-match': etag }, expect: 304 },
  {
    name: 'remote evaluation',
    path: '/api/v1/sdk/evaluate/model.sentiment',
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ context: { targetingKey: 'user-42', plan: 'pro' }, defaultValue: 'v1' }),
    expect: 200,
  },
  { name: 'ofrep single', path: '/ofrep/v1/evaluate/flags/model.sentiment', method: 'POST', headers: ofrepHeaders, body: ofrepBody, expect: 200 },
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

const results = [];
for (const s of scenarios) {
  const r = await autocannon({ url: server.url + s.path, method: s.method, headers: s.headers, body: s.body, connections: 10, duration: DURATION });
  const wrong = r.statusCodeStats ? Object.entries(r.statusCodeStats).filter(([code]) => Number(code) !== s.expect) : [];
  results.push({
    scenario: s.name,
    requestsPerSecond: Math.round(r.requests.average),
    latencyP50ms: r.latency.p50,
    latencyP99ms: r.latency.p99,
    errors: r.errors + r.non2xx - (s.expect === 304 ? (r['3xx'] ?? 0) : 0),
    unexpectedStatus: Object.fromEntries(wrong),
  });
}
await server.stop();

console.log(
  `\nServer throughput (autocannon, 10 connections, ${DURATION} s each, loopback; node ${process.version}, ${(await import('node:os')).cpus().length} CPUs)`,
);
console.log('  scenario               req/s     p50 ms   p99 ms');
for (const r of results)
  console.log(
    `  ${r.scenario.padEnd(20)} ${String(r.requestsPerSecond).padStart(7)}   ${String(r.latencyP50ms).padStart(6)}   ${String(r.latencyP99ms).padStart(6)}${Object.keys(r.unexpectedStatus).length ? `  unexpected: ${JSON.stringify(r.unexpectedStatus)}` : ''}`,
  );
console.log('  reference: unleash-server measured here ~540 req/s (full config) and ~750 req/s (304)');
if (!process.env.BENCH_ONLY) {
  fs.mkdirSync(path.resolve(import.meta.dirname, '../results'), { recursive: true });
  fs.writeFileSync(
    path.resolve(import.meta.dirname, '../results/server.json'),
    JSON.stringify({ date: new Date().toISOString(), durationSeconds: DURATION, results }, null, 2),
  );
}
