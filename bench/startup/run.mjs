// npm run bench:startup — how fast the server starts, beside unleash-server:
//   - warm start: spawn to the first 200 from /readyz (Unleash: /health) of the server bundle that
//     `npm start` runs (server/dist/bundle/main.js; scripts/server-bundle.mjs), on a database that
//     already holds the same 200 flags and 20 segments (written through each product's API), on
//     PostgreSQL and, Signalbox only, on the embedded database;
//   - idle memory: resident set size after the start plus a settle time;
//   - `npm start` on an unchanged tree (build check + start) to ready, Signalbox only;
//   - first start on an empty database (migrations), measured once while loading the flags;
//   - with --fresh, `npm ci && npm start` in a fresh copy of this working tree (minutes).
// Runs alternate between the targets, round by round, and medians are reported: the machine is
// shared. Then runs bench/startup/sdk-cold.mjs and python_cold.py when present (their own JSON).
//   node bench/startup/run.mjs [--runs 7] [--settle 5] [--fresh] [--no-unleash] [--no-sdk]
// unleash-server is installed on first use into bench/.peers (gitignored), never into the workspace.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { countSignalboxFlags, countUnleashFlags, FLAG_COUNT, loadSignalbox, loadUnleash, SEGMENT_COUNT, UNLEASH_ADMIN_TOKEN } from './flagset.mjs';
import { createDatabase, dropDatabase, ensureUnleash, freePort, pgAnswers, rssOf, startTimed } from './processes.mjs';
import { measureFresh } from './fresh.mjs';

const root = path.resolve(import.meta.dirname, '../..');
const UNLEASH_VERSION = process.env.BENCH_UNLEASH_VERSION ?? '8.2.0';
const ADMIN_TOKEN = 'startup-bench-admin-token-0123456789';
// What `npm start` runs (scripts/build.mjs --start): the server bundle.
const MAIN = path.join(root, 'server/dist/bundle/main.js');

const argv = process.argv.slice(2);
const option = (name, fallback) => {
  const at = argv.indexOf(name);
  return at >= 0 && argv[at + 1] !== undefined ? Number(argv[at + 1]) : fallback;
};
if (argv.includes('--help')) {
  process.stdout.write('node bench/startup/run.mjs [--runs 7] [--settle 5] [--fresh] [--no-unleash] [--no-sdk]\n');
  process.exit(0);
}
const RUNS = option('--runs', 7);
const SETTLE_S = option('--settle', 5);
const withUnleash = !argv.includes('--no-unleash');

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length === 0 ? null : sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const summary = (values) =>
  values.length === 0 ? null : { median: median(values), min: Math.min(...values), max: Math.max(...values), runs: values.map((v) => Math.round(v * 10) / 10) };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const signalboxEnv = (extra) => ({ HOST: '127.0.0.1', LOG_LEVEL: 'warn', SIGNALBOX_ADMIN_TOKEN: ADMIN_TOKEN, SIGNALBOX_DEMO: 'false', ...extra });
const adminOf =
  (url) =>
  (p, init = {}) =>
    fetch(`${url}/api/v1${p}`, { ...init, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json', ...(init.headers ?? {}) } });

/** A way to start one server to readiness; `start()` resolves to { readyMs, pid, stop, lines }. */
const target = (name, label, start, { rss = true } = {}) => ({ name, label, start, rss, readyMs: [], rssBytes: [], skipped: [] });

const startSignalbox = (env) => async () => {
  const port = await freePort();
  const server = await startTimed({
    command: process.execPath,
    args: [MAIN],
    cwd: root,
    env: signalboxEnv({ ...env, PORT: String(port) }),
    readyUrl: `http://127.0.0.1:${port}/readyz`,
  });
  return { ...server, url: `http://127.0.0.1:${port}` };
};

const cleanup = [];
const results = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: os.cpus().length,
  runs: RUNS,
  settleSeconds: SETTLE_S,
  flags: FLAG_COUNT,
  segments: SEGMENT_COUNT,
  unleashVersion: withUnleash ? UNLEASH_VERSION : null,
  loadAverageAtStart: os.loadavg(),
};

try {
  if (!fs.existsSync(MAIN)) throw new Error('server/dist is missing: run `node scripts/build.mjs` first (npm run bench:startup does)');
  const pg = await pgAnswers();
  if (!pg) process.stdout.write('No PostgreSQL answers (BENCH_PG_URL or 127.0.0.1:5432): measuring the embedded database only.\n');

  // ---- set-up: each database created empty, started once (the first start), loaded, stopped ----
  const firstStart = {};
  const targets = [];

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'signalbox-startup-'));
  cleanup.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const embeddedEnv = { SIGNALBOX_DATA_DIR: path.join(dataDir, 'embedded') };
  // On PostgreSQL the data directory holds only the key that seals stored secrets.
  const postgresDataDir = path.join(dataDir, 'postgres');

  const setUp = async (key, label, start, load) => {
    process.stdout.write(`set-up: ${label}: first start on an empty database, then ${FLAG_COUNT} flags and ${SEGMENT_COUNT} segments through its API ... `);
    const server = await start();
    firstStart[key] = server.readyMs;
    const loadStarted = performance.now();
    let count;
    try {
      count = await load(server);
    } finally {
      await server.stop();
    }
    process.stdout.write(
      `ready in ${(server.readyMs / 1000).toFixed(1)} s; loaded ${count} flags in ${((performance.now() - loadStarted) / 1000).toFixed(1)} s\n`,
    );
    if (count !== FLAG_COUNT) throw new Error(`${label} holds ${count} flags, expected ${FLAG_COUNT}`);
  };
  const loadIntoSignalbox = async (server) => {
    const admin = adminOf(server.url);
    await loadSignalbox(admin);
    return countSignalboxFlags(admin);
  };

  if (pg) {
    const dbName = 'signalbox_startup_bench';
    const databaseUrl = await createDatabase(dbName);
    cleanup.push(() => dropDatabase(dbName));
    await setUp(
      'signalboxPostgres',
      'Signalbox on PostgreSQL',
      startSignalbox({ DATABASE_URL: databaseUrl, SIGNALBOX_DATA_DIR: postgresDataDir }),
      loadIntoSignalbox,
    );
    targets.push(target('signalboxPostgres', 'Signalbox, PostgreSQL', startSignalbox({ DATABASE_URL: databaseUrl, SIGNALBOX_DATA_DIR: postgresDataDir })));
  }
  await setUp('signalboxEmbedded', 'Signalbox on the embedded database', startSignalbox(embeddedEnv), loadIntoSignalbox);
  targets.push(target('signalboxEmbedded', 'Signalbox, embedded database', startSignalbox(embeddedEnv)));

  if (pg && withUnleash) {
    const entry = ensureUnleash(UNLEASH_VERSION, path.join(root, 'bench/.peers'));
    const dbName = 'unleash_startup_bench';
    const databaseUrl = await createDatabase(dbName);
    cleanup.push(() => dropDatabase(dbName));
    const startUnleash = async () => {
      const port = await freePort();
      const server = await startTimed({
        command: process.execPath,
        args: [entry],
        cwd: path.dirname(entry),
        env: {
          DATABASE_URL: databaseUrl,
          DATABASE_SSL: 'false',
          PORT: String(port),
          LOG_LEVEL: 'warn',
          INIT_ADMIN_API_TOKENS: UNLEASH_ADMIN_TOKEN,
          CHECK_VERSION: 'false',
          SEND_TELEMETRY: 'false',
        },
        readyUrl: `http://127.0.0.1:${port}/health`,
      });
      return { ...server, url: `http://127.0.0.1:${port}` };
    };
    await setUp('unleashPostgres', `unleash-server ${UNLEASH_VERSION} on PostgreSQL`, startUnleash, async (server) => {
      await loadUnleash(server.url);
      return countUnleashFlags(server.url);
    });
    targets.push(target('unleashPostgres', `unleash-server ${UNLEASH_VERSION}, PostgreSQL`, startUnleash));
  }

  // `npm start` as a user runs it, on the embedded database loaded above. A run in which the build
  // found something to rebuild (another process edited the tree) is not an unchanged-tree run.
  targets.push(
    target(
      'npmStartUnchanged',
      'npm start, unchanged tree (embedded)',
      async () => {
        const port = await freePort();
        return startTimed({
          command: 'npm',
          args: ['start', '--silent'],
          cwd: root,
          env: signalboxEnv({ ...embeddedEnv, PORT: String(port) }),
          readyUrl: `http://127.0.0.1:${port}/readyz`,
        });
      },
      { rss: false },
    ),
  );
  const rebuilt = (server) => server.lines.some(({ line }) => /^build: (compiled|bundled)/.test(line));

  // ---- measured rounds: every target once per round, the order rotating ----
  for (let round = 0; round < RUNS; round++) {
    const order = targets.map((_, i) => targets[(i + round) % targets.length]);
    const parts = [];
    for (const t of order) {
      const server = await t.start();
      let rss;
      try {
        await sleep(SETTLE_S * 1000);
        rss = t.rss ? rssOf(server.pid) : undefined;
      } finally {
        await server.stop();
      }
      if (t.name === 'npmStartUnchanged' && rebuilt(server)) {
        t.skipped.push(server.readyMs);
        parts.push(`${t.name} rebuilt (not counted)`);
        continue;
      }
      t.readyMs.push(server.readyMs);
      if (rss !== undefined) t.rssBytes.push(rss);
      parts.push(`${t.name} ${(server.readyMs / 1000).toFixed(2)} s${rss ? ` ${Math.round(rss / 2 ** 20)} MB` : ''}`);
    }
    process.stdout.write(`round ${round + 1}/${RUNS}: ${parts.join(', ')}\n`);
  }

  results.warmStartMs = Object.fromEntries(targets.map((t) => [t.name, summary(t.readyMs)]));
  results.idleRssMiB = Object.fromEntries(targets.filter((t) => t.rss).map((t) => [t.name, summary(t.rssBytes.map((b) => b / 2 ** 20))]));
  results.firstStartMs = firstStart;
  const npmTarget = targets.find((t) => t.name === 'npmStartUnchanged');
  if (npmTarget.skipped.length) results.npmStartRebuiltRuns = npmTarget.skipped.length;

  if (argv.includes('--fresh')) results.fresh = await measureFresh(root, { log: (line) => process.stdout.write(`${line}\n`) });

  // ---- report ----
  const s = (ms) => (ms == null ? '—' : `${(ms / 1000).toFixed(2)} s`);
  const secs = (ms) => (ms / 1000).toFixed(2);
  const range = (sum, unit) => {
    if (!sum) return '—';
    const f = unit === 's' ? secs : (v) => String(Math.round(v));
    return `${f(sum.median)} ${unit} (${f(sum.min)}–${f(sum.max)})`;
  };
  const ratio = (a, b) => (a && b ? `${(b / a).toFixed(1)}×` : '');
  const w = results.warmStartMs;
  const r = results.idleRssMiB;
  const rows = [
    [
      'warm start to ready, PostgreSQL',
      range(w.signalboxPostgres, 's'),
      range(w.unleashPostgres, 's'),
      ratio(w.signalboxPostgres?.median, w.unleashPostgres?.median),
    ],
    ['warm start to ready, embedded database', range(w.signalboxEmbedded, 's'), '—', ''],
    [
      `idle RSS ${SETTLE_S} s after ready, PostgreSQL`,
      range(r.signalboxPostgres, 'MB'),
      range(r.unleashPostgres, 'MB'),
      ratio(r.signalboxPostgres?.median, r.unleashPostgres?.median),
    ],
    [`idle RSS ${SETTLE_S} s after ready, embedded`, range(r.signalboxEmbedded, 'MB'), '—', ''],
    ['npm start, unchanged tree, to ready', range(w.npmStartUnchanged, 's'), '—', ''],
    [
      'first start, empty PostgreSQL database',
      s(firstStart.signalboxPostgres),
      s(firstStart.unleashPostgres),
      ratio(firstStart.signalboxPostgres, firstStart.unleashPostgres),
    ],
    ['first start, new embedded database', s(firstStart.signalboxEmbedded), '—', ''],
  ];
  if (results.fresh) rows.push(['fresh copy: npm ci && npm start to ready', s(results.fresh.totalMs), '—', '']);
  const head = ['', 'Signalbox', withUnleash ? `unleash-server ${UNLEASH_VERSION}` : 'unleash-server', 'Unleash ÷ Signalbox'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells) => `  ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('   ')}`;
  process.stdout.write(
    `\nStartup (${FLAG_COUNT} flags, ${SEGMENT_COUNT} segments; median (min–max) of ${RUNS} alternating runs; node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg()[0].toFixed(1)})\n`,
  );
  process.stdout.write(`${line(head)}\n${rows.map(line).join('\n')}\n`);
  if (results.npmStartRebuiltRuns) process.stdout.write(`  (${results.npmStartRebuiltRuns} npm start run(s) found changed sources and rebuilt; not counted)\n`);
  if (results.fresh) {
    process.stdout.write(`  fresh copy, where the time went (${results.fresh.ebadengine} EBADENGINE warnings from npm ci):\n`);
    for (const [phase, ms] of Object.entries(results.fresh.phasesMs)) process.stdout.write(`    ${phase.padEnd(widths[0] + 2)}${s(ms).padStart(10)}\n`);
  }

  results.loadAverageAtEnd = os.loadavg();
  fs.mkdirSync(path.join(root, 'bench/results'), { recursive: true });
  fs.writeFileSync(path.join(root, 'bench/results/startup.json'), `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write('  written to bench/results/startup.json\n');
} finally {
  for (const step of cleanup.reverse()) await step();
}

// The SDK's and the Python SDK's cold starts, written by their own scripts when they are present.
if (!argv.includes('--no-sdk')) {
  for (const [command, script] of [
    [process.execPath, 'bench/startup/sdk-cold.mjs'],
    ['python3', 'bench/startup/python_cold.py'],
  ]) {
    if (!fs.existsSync(path.join(root, script))) continue;
    process.stdout.write(`\n=== ${script}\n`);
    const { status, error } = spawnSync(command, [script], { cwd: root, stdio: 'inherit' });
    if (status !== 0) process.stdout.write(`${script} failed (${error?.message ?? `exit ${status}`})\n`);
  }
}
