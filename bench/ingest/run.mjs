// npm run bench:ingest — how many SDK telemetry batches per second one server instance merges into
// the per-minute rollups on a real PostgreSQL. The server runs on a fresh database (created here,
// dropped at the end) on BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/test: the
// server named there, not that database). Senders are separate processes posting to the public
// SDK endpoint over keep-alive HTTP, each request one SDK's window of realistic data (see
// payloads.mjs) about the flags of a 200-flag environment (bench/startup/flagset.mjs: rules,
// segments, targets, percentage rollouts, four kinds of flag), created through the API first.
// Over the measured window it reports what was accepted (202s) and what was committed to the
// rollups (evaluations summed in evaluation_rollups, and rows inserted or updated per PostgreSQL's
// statistics). After the run the server gets SIGTERM, and the rollups are checked against every
// acknowledged request: nothing a 202 answered may be missing.
//
// BENCH_DURATION (s, default 15), BENCH_SENDERS (processes, 2), BENCH_CONCURRENCY (connections per
// sender, 32), BENCH_FLAGS_PER_SDK (8), BENCH_VALUES_PER_SERIES (20), BENCH_BATCHES_PER_REQUEST (1),
// BENCH_MAIN (another server build, to compare).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { percentile, startServer } from '../lib/server.mjs';
import { FLAGS as ENVIRONMENT_FLAGS, loadSignalbox } from '../startup/flagset.mjs';

const TARGET_BATCHES_PER_SECOND = 5_000;
const DURATION_S = Number(process.env.BENCH_DURATION ?? 15);
const WARMUP_S = 3;
const SENDERS = Number(process.env.BENCH_SENDERS ?? 2);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const FLAGS_PER_SDK = Number(process.env.BENCH_FLAGS_PER_SDK ?? 8);
const VALUES_PER_SERIES = Number(process.env.BENCH_VALUES_PER_SERIES ?? 20);
const BATCHES_PER_REQUEST = Number(process.env.BENCH_BATCHES_PER_REQUEST ?? 1);
const serverUrl = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const database = `signalbox_bench_ingest_${process.pid}`;
const admin = new pg.Client({ connectionString: serverUrl });
await admin.connect();
await admin.query(`CREATE DATABASE ${database}`);
const databaseUrl = Object.assign(new URL(serverUrl), { pathname: `/${database}` }).toString();

let server;
let db;
try {
  server = await startServer({ env: { DATABASE_URL: databaseUrl }, ...(process.env.BENCH_MAIN ? { main: path.resolve(process.env.BENCH_MAIN) } : {}) });
  const { sdkKey } = await loadSignalbox(server.admin);
  if (!sdkKey) throw new Error('the 200-flag environment came without an SDK key');
  const environmentFlags = ENVIRONMENT_FLAGS.map((f) => ({ key: f.key, variants: f.variants.map((v) => v.key) }));
  const keys = [sdkKey];

  db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  // What the rollups hold now: evaluations committed (exact), and rows inserted or updated (PostgreSQL's statistics).
  const committed = async () => {
    const [row] = (
      await db.query(`SELECT (SELECT COALESCE(sum(count), 0) FROM evaluation_rollups)::float8 AS evaluations,
                             (SELECT COALESCE(sum(n_tup_ins + n_tup_upd), 0) FROM pg_stat_user_tables
                               WHERE relname LIKE 'metric\\_rollups%' OR relname LIKE 'evaluation\\_rollups%')::float8 AS rows`)
    ).rows;
    return { at: Date.now(), evaluations: row.evaluations, rows: row.rows };
  };

  let windowsSeen = 0;
  let measureFrom = 0;
  let measureTo = Infinity;
  let sample;
  const window = new Promise((resolve) => (sample = resolve));
  const senders = Array.from({ length: SENDERS }, (_, i) => {
    const config = {
      url: server.url,
      sdkKey: keys[i % keys.length],
      environmentFlags,
      concurrency: CONCURRENCY,
      durationMs: DURATION_S * 1000,
      warmupMs: WARMUP_S * 1000,
      flagsPerSdk: FLAGS_PER_SDK,
      valuesPerSeries: VALUES_PER_SERIES,
      batchesPerRequest: BATCHES_PER_REQUEST,
      distinctBodies: 200,
      seed: 1000 + i,
    };
    const child = spawn(process.execPath, [path.join(import.meta.dirname, 'sender.mjs'), JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    let err = '';
    child.stderr.on('data', (chunk) => {
      err += chunk;
      let nl;
      while ((nl = err.indexOf('\n')) >= 0) {
        const line = err.slice(0, nl);
        err = err.slice(nl + 1);
        const match = /^window (.*)$/.exec(line);
        if (!match) {
          process.stderr.write(line + '\n');
          continue;
        }
        const { measureFrom: from, end } = JSON.parse(match[1]);
        measureFrom = Math.max(measureFrom, from);
        measureTo = Math.min(measureTo, end);
        if (++windowsSeen === SENDERS) sample();
      }
    });
    return new Promise((resolve, reject) => child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`sender exited ${code}`)))));
  });
  // Server CPU and what was committed, over the window every sender measures (after they built their bodies and warmed up).
  let cpuFrom = 0;
  let cpuTo = 0;
  let committedFrom;
  let committedTo;
  const sampled = window.then(async () => {
    await new Promise((resolve) => setTimeout(resolve, measureFrom - Date.now()));
    cpuFrom = server.cpuMicros();
    committedFrom = await committed();
    await new Promise((resolve) => setTimeout(resolve, measureTo - Date.now()));
    cpuTo = server.cpuMicros();
    committedTo = await committed();
  });
  const results = await Promise.all(senders);
  await sampled;
  const measuredSeconds = (measureTo - measureFrom) / 1000;

  const stopped = Date.now();
  await server.stop();
  const stopMs = Date.now() - stopped;
  server = undefined;

  const [rows] = (
    await db.query(`SELECT (SELECT count(*) FROM metric_rollups)::int AS metric_rows, (SELECT count(*) FROM evaluation_rollups)::int AS evaluation_rows,
                            (SELECT COALESCE(sum(count), 0) FROM evaluation_rollups)::float8 AS evaluations,
                            (SELECT count(*) FROM pg_inherits WHERE inhparent = 'metric_rollups'::regclass)::int AS partitions`)
  ).rows;

  const sum = (f) => results.reduce((n, r) => n + f(r), 0);
  const batchesPerSecond = sum((r) => r.batches) / DURATION_S;
  const evaluationsPerBatch = sum((r) => r.evaluations) / sum((r) => r.batches);
  const committedEvaluationsPerSecond = (committedTo.evaluations - committedFrom.evaluations) / ((committedTo.at - committedFrom.at) / 1000);
  const committedBatchesPerSecond = committedEvaluationsPerSecond / evaluationsPerBatch;
  const committedRowsPerSecond = (committedTo.rows - committedFrom.rows) / ((committedTo.at - committedFrom.at) / 1000);
  const latencies = results.flatMap((r) => r.latenciesMs);
  const ackedEvaluations = sum((r) => r.acked.evaluations);
  const failures = results.reduce((all, r) => {
    for (const [code, n] of Object.entries(r.failures)) all[code] = (all[code] ?? 0) + n;
    return all;
  }, {});
  const summary = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    postgres: (await admin.query('SHOW server_version')).rows[0].server_version,
    data: {
      environment: 'bench/startup/flagset.mjs (200 flags: rules, segments, targets, percentage rollouts)',
      flagsInEnvironment: ENVIRONMENT_FLAGS.length,
      flagsPerSdk: FLAGS_PER_SDK,
      valuesPerSeries: VALUES_PER_SERIES,
      batchesPerRequest: BATCHES_PER_REQUEST,
      seriesPerRequest: Math.round(results[0].seriesPerRequest),
      evaluationRecordsPerRequest: Math.round(results[0].evaluationRecordsPerRequest),
      bodyBytes: results[0].bodyBytes,
      environments: Math.min(SENDERS, keys.length),
    },
    senders: SENDERS,
    connections: SENDERS * CONCURRENCY,
    durationSeconds: DURATION_S,
    targetBatchesPerSecond: TARGET_BATCHES_PER_SECOND,
    batchesPerSecond: Math.round(batchesPerSecond),
    committedBatchesPerSecond: Math.round(committedBatchesPerSecond),
    committedEvaluationsPerSecond: Math.round(committedEvaluationsPerSecond),
    committedRollupRowsPerSecond: Math.round(committedRowsPerSecond),
    requestsPerSecond: Math.round(sum((r) => r.requests) / DURATION_S),
    seriesPerSecond: Math.round(sum((r) => r.series) / DURATION_S),
    latencyP50ms: Number(percentile(latencies, 50).toFixed(1)),
    latencyP99ms: Number(percentile(latencies, 99).toFixed(1)),
    serverCpuPerBatchMicros: Math.round((cpuTo - cpuFrom) / (batchesPerSecond * measuredSeconds)),
    failures,
    rowsWritten: { metricRollups: rows.metric_rows, evaluationRollups: rows.evaluation_rows, metricRollupPartitions: rows.partitions },
    acknowledgedEvaluations: ackedEvaluations,
    evaluationsInRollups: rows.evaluations,
    sigtermToExitMs: stopMs,
  };

  console.log(
    `\nTelemetry ingest (one server instance, PostgreSQL ${summary.postgres}, ${SENDERS} sender processes × ${CONCURRENCY} connections, ` +
      `${DURATION_S} s after ${WARMUP_S} s warm-up; node ${process.version}, ${os.cpus().length} CPUs)`,
  );
  console.log(
    `  data: a ${ENVIRONMENT_FLAGS.length}-flag environment (rules, segments, rollouts), ${FLAGS_PER_SDK} of its flags per SDK, 1 to all of their variants, 3 metrics per variant + 2 without a flag; ` +
      `${summary.data.seriesPerRequest} series + ${summary.data.evaluationRecordsPerRequest} evaluation records per request (${summary.data.bodyBytes} bytes), ` +
      `${BATCHES_PER_REQUEST} batch per request`,
  );
  console.log(
    `  batches/s          ${String(summary.batchesPerSecond).padStart(8)}   target ≥ ${TARGET_BATCHES_PER_SECOND}  ${batchesPerSecond >= TARGET_BATCHES_PER_SECOND ? 'met' : 'NOT met'}`,
  );
  console.log(
    `  committed/s        ${String(summary.committedBatchesPerSecond).padStart(8)}   batches' worth (${summary.committedEvaluationsPerSecond} evaluations/s into the rollups; ` +
      `${summary.committedRollupRowsPerSecond} rollup rows inserted or updated/s)  ${committedBatchesPerSecond >= TARGET_BATCHES_PER_SECOND ? 'met' : 'NOT met'}`,
  );
  console.log(`  requests/s         ${String(summary.requestsPerSecond).padStart(8)}`);
  console.log(`  series/s           ${String(summary.seriesPerSecond).padStart(8)}`);
  console.log(`  latency p50 / p99  ${summary.latencyP50ms} / ${summary.latencyP99ms} ms`);
  console.log(`  server CPU/batch   ${summary.serverCpuPerBatchMicros} µs`);
  console.log(
    `  rows written       ${rows.metric_rows} metric rollup rows, ${rows.evaluation_rows} evaluation rollup rows (${rows.partitions} metric partitions)`,
  );
  console.log(
    `  durability         ${ackedEvaluations} evaluations acknowledged, ${rows.evaluations} in the rollups after SIGTERM (${stopMs} ms to exit)` +
      `${rows.evaluations === ackedEvaluations ? '' : '  MISMATCH'}`,
  );
  if (Object.keys(failures).length > 0) console.log(`  failed requests    ${JSON.stringify(failures)}`);
  if (!process.env.BENCH_MAIN) {
    fs.mkdirSync(path.resolve(import.meta.dirname, '../results'), { recursive: true });
    fs.writeFileSync(path.resolve(import.meta.dirname, '../results/ingest.json'), JSON.stringify(summary, null, 2) + '\n');
  }
  if (rows.evaluations !== ackedEvaluations) process.exitCode = 1;
} finally {
  if (server) await server.stop();
  await db?.end().catch(() => {});
  if (!process.env.BENCH_KEEP_DB) await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin.end();
}
