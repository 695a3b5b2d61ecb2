#!/usr/bin/env node
// The chaos test (issue 13): two server instances on a private PostgreSQL cluster, a fleet of real
// SDK clients (TypeScript over socket.io and polling, an SSE reader, Python), a writer making
// versioned changes, and seeded faults — SIGKILL, SIGTERM, pg_ctl restart, PostgreSQL stopped and
// frozen. It ends with named checks and a line "N passed, N failed".
//
//   node scripts/chaos/run.mjs --short --seed 1     # in npm test
//   npm run chaos                                   # --long: 1,000 changes, every fault, 3 rounds
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { managementApi, request } from './api.mjs';
import { ALL_CHECKS } from './checks.mjs';
import { cleanup, installSignalHandlers, onCleanup } from './cleanup.mjs';
import { readDatabase, readThroughApi } from './database-state.mjs';
import { estimatePlanMs, planFaults, runFault } from './faults.mjs';
import { SERVER_MAIN, startInstances } from './instances.mjs';
import { listenSessions } from './listen-sessions.mjs';
import { parseOptions } from './options.mjs';
import { findPostgresBin, startPostgres } from './postgres.mjs';
import { createRng } from './prng.mjs';
import { startProbes } from './probes.mjs';
import { isRoot, POSTGRES_OS_USER, sleep } from './proc.mjs';
import { hasPython, startPythonFleet } from './python-fleet.mjs';
import { printChecks, printFailureReport, printMeasurements } from './report.mjs';
import { createScenario } from './scenario.mjs';
import { sdkMaxBackoffMs, startSdkFleet } from './sdk-fleet.mjs';
import { checkDelivery, waitForConvergence } from './settle.mjs';
import { startSseReader } from './sse-reader.mjs';
import { Timeline } from './timeline.mjs';
import { Writer } from './writer.mjs';

const ROOT = path.resolve(import.meta.dirname, '../..');
const INSTANCE_COUNT = 2;
const FLEET_READY_TIMEOUT_MS = 30_000;
const DEFAULT_GRACE_MS = 10_000;
const out = (line = '') => process.stdout.write(`${line}\n`);

const preflight = () => {
  const missing = [SERVER_MAIN, path.join(ROOT, 'sdk/dist/index.js')].filter((f) => !fs.existsSync(f)).map((f) => path.relative(ROOT, f));
  if (missing.length) throw new Error(`${missing.join(' and ')} missing: run npm run build first`);
  if (!findPostgresBin()) throw new Error('PostgreSQL binaries (initdb, pg_ctl, postgres) not found: apt-get install -y postgresql');
  if (isRoot() && spawnSync('id', ['-u', POSTGRES_OS_USER], { stdio: 'ignore' }).status !== 0) {
    throw new Error(
      `running as root, PostgreSQL must run as the OS user ${POSTGRES_OS_USER}, which does not exist (useradd --system ${POSTGRES_OS_USER}, or run as another user)`,
    );
  }
};

/** Waits until every client serves the database's head; throws naming the ones that do not. */
const waitForFleet = async (clients, head) => {
  const deadline = Date.now() + FLEET_READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (clients.every((c) => c.sequence === head)) return;
    await sleep(100);
  }
  const late = clients.filter((c) => c.sequence !== head).map((c) => `${c.label()} at ${c.sequence} (${c.status})`);
  throw new Error(`the fleet did not reach sequence ${head} within ${FLEET_READY_TIMEOUT_MS / 1000} s: ${late.join(', ')}`);
};

/** PostgreSQL, the instances, the project and the fleet, every client caught up. */
const setUp = async (run) => {
  const { options, timeline } = run;
  preflight();
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'signalbox-chaos-run-'));
  const removeRunDir = () => (options.keep ? out(`run directory kept: ${runDir}`) : fs.rmSync(runDir, { recursive: true, force: true }));
  onCleanup('run directory', async () => removeRunDir(), removeRunDir);

  run.postgres = await startPostgres({ timeline });
  const extraEnv = options.shutdownGraceMs !== undefined ? { SIGNALBOX_SHUTDOWN_GRACE_MS: String(options.shutdownGraceMs) } : {};
  const servers = await startInstances({ count: INSTANCE_COUNT, databaseUrl: run.postgres.url, logDir: runDir, timeline, extraEnv });
  run.instances = servers.list;
  run.exits = servers.exits;
  run.startFailures = servers.startFailures;
  run.api = managementApi(servers.adminToken);
  run.scenario = await createScenario({ api: run.api, instance: servers.list[0], flagCount: options.flags });
  const { sdkKey } = run.scenario;
  timeline.note(`project ${run.scenario.project}, environment ${run.scenario.environment}, ${run.scenario.flagKeys.length} flags created`);

  // The fleet, spread over the instances.
  const sdkFleet = startSdkFleet({
    instances: servers.list,
    sdkKey,
    sockets: options.sockets,
    pollers: options.pollers,
    pollIntervalMs: options.pollIntervalMs,
    reconnectMaxMs: options.reconnectMaxMs,
  });
  onCleanup('TypeScript SDK clients', () => sdkFleet.close());
  // Their own PRNG, so the readers' drops never shift the fault plan or the writer's choices.
  const sseRng = createRng(options.seed ^ 0x55e);
  run.sseReaders = Array.from({ length: options.sseReaders }, (_, i) =>
    startSseReader({ id: `sse-${i}`, instance: servers.list[(i + 1) % servers.list.length], sdkKey, dropEveryMs: options.sseDropEveryMs, rng: sseRng }),
  );
  onCleanup('SSE readers', () => Promise.all(run.sseReaders.map((r) => r.close())));
  const pythonFleet = startPythonFleet({
    instances: servers.list,
    sdkKey,
    count: run.python,
    maxRetryDelayMs: options.reconnectMaxMs,
    exits: run.exits,
    timeline,
  });
  run.clients = [...sdkFleet.observed, ...run.sseReaders.map((r) => r.observed), ...pythonFleet.observed];
  run.closeFleet = async () => {
    await sdkFleet.close();
    await Promise.all(run.sseReaders.map((r) => r.close()));
    await pythonFleet.close();
  };
  const initial = await readDatabase(run.postgres, run.scenario.project, run.scenario.environment);
  await waitForFleet(run.clients, initial.head);
  timeline.note(`fleet of ${run.clients.length} clients at sequence ${initial.head}`);
};

/**
 * Writes and faults together. Before each fault the writer is paced so that the changes left
 * spread over the faults left, and fault k waits until the writer is k/F of the way (on a slow or
 * loaded machine it cannot keep pace): so changes land during every fault and little is left when
 * the faults end. The last `tail` changes are held back until the last fault has ended; written at
 * once, they show whether every instance still relays after all it went through.
 */
const writeThroughFaults = async (run) => {
  const { options, timeline, scenario } = run;
  run.probes = startProbes({ instances: run.instances, postgres: run.postgres });
  onCleanup('probes', async () => run.probes.stop());
  const plan = planFaults({ kinds: options.faults, rounds: options.rounds, rng: run.rng, instanceCount: run.instances.length });
  const writable = options.changes - options.tail;
  const writer = new Writer({
    api: run.api,
    instances: run.instances,
    project: scenario.project,
    environment: scenario.environment,
    flagKeys: scenario.flagKeys,
    rng: run.rng,
    total: options.changes,
    concurrency: options.writers,
    timeline,
  });
  run.writer = writer;
  // The slowest start so far stands for the next ones.
  const serverStartMs = () => Math.max(...run.instances.flatMap((i) => i.startTimes));
  writer.allowUpTo(writable);
  writer.paceOver(estimatePlanMs(plan, serverStartMs()), writable, options.writeIntervalMs);
  const writing = writer.run();
  for (const [k, fault] of plan.entries()) {
    const due = Math.floor((k * writable) / plan.length);
    if (writer.finished < due) {
      // Behind: catch up at full speed rather than keep the faults waiting.
      writer.intervalMs = options.writeIntervalMs;
      await writer.reached(due);
    }
    const interval = writer.paceOver(estimatePlanMs(plan.slice(k), serverStartMs()), writable - writer.finished, options.writeIntervalMs);
    timeline.note(`writer: ${writer.finished} of ${writable} changes written; one per ${interval} ms per writer from now`);
    await sleep(fault.gapBeforeMs);
    run.faults.push(await runFault(fault, { postgres: run.postgres, instances: run.instances, timeline, termBoundMs: run.termBoundMs }));
  }
  run.lastFaultEnd = run.faults.at(-1)?.end ?? Date.now();
  run.sseReaders.forEach((r) => r.stopDropping());
  run.writtenBeforeLastFaultEnd = writer.finished;
  writer.intervalMs = 0;
  writer.allowUpTo(options.changes);
  await writing;
  timeline.note(
    `writer done: ${writer.acks.length} acknowledged, ${writer.finished - run.writtenBeforeLastFaultEnd} of them after the last fault, in ${writer.doneAt - run.lastFaultEnd} ms`,
  );
};

/** The end state, whether every client reached it, what the instances say; then the checks. */
const settleAndCheck = async (run) => {
  const { scenario, instances, timeline } = run;
  const db = await readDatabase(run.postgres, scenario.project, scenario.environment);
  run.db = db;
  const convergence = await waitForConvergence({
    clients: run.clients,
    db,
    lastFaultEnd: run.lastFaultEnd,
    writerDoneAt: run.writer.doneAt,
    boundMs: run.boundMs,
  });
  run.convergence = {
    ...convergence,
    head: db.head,
    lastFaultEnd: run.lastFaultEnd,
    writerDoneAt: run.writer.doneAt,
    writtenAfter: run.writer.finished - run.writtenBeforeLastFaultEnd,
  };
  timeline.note(`convergence: ${convergence.times.length} of ${run.clients.length} clients at ${db.head}`);
  const delivery = await checkDelivery({
    api: run.api,
    instances,
    clients: run.clients,
    project: scenario.project,
    environment: scenario.environment,
    head: db.head,
  });
  const apiStates = [];
  for (const instance of instances.filter((i) => i.running))
    apiStates.push({ instance, ...(await readThroughApi(run.api, instance, scenario.project, scenario.environment, scenario.flagKeys)) });
  const finalReadyz = await Promise.all(instances.map(async (i) => ({ instance: i.name, ...(await request(i.url, 'GET', '/readyz', { timeoutMs: 5_000 })) })));
  const finalListen = await listenSessions(run.postgres, instances).catch((err) => ({ error: err.message }));
  run.probes.stop();
  await run.closeFleet();
  const findings = { ...run, apiStates, delivery, finalReadyz, finalListen };
  return ALL_CHECKS.map((check) => check(findings));
};

const main = async () => {
  let options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${err.message}\n`);
    return 2;
  }
  installSignalHandlers();
  const run = {
    options,
    timeline: new Timeline({ echo: options.verbose }),
    startedAt: Date.now(),
    rng: createRng(options.seed),
    boundMs: options.convergenceBoundMs ?? 10_000 + (options.reconnectMaxMs ?? (await sdkMaxBackoffMs())) + 5_000,
    termBoundMs: (options.shutdownGraceMs ?? DEFAULT_GRACE_MS) + options.termSlackMs,
    python: options.python > 0 && hasPython() ? options.python : 0,
    clients: [],
    sseReaders: [],
    faults: [],
    instances: [],
    exits: [],
    startFailures: [],
  };
  out(
    `chaos (${options.mode}): seed ${options.seed}; ${options.changes} changes over ${options.flags} flags by ${options.writers} writers; ` +
      `${options.sockets} socket.io + ${options.pollers} polling TypeScript clients (poll every ${options.pollIntervalMs} ms), ${options.sseReaders} SSE reader(s), ${run.python} Python client(s)` +
      `${options.python > 0 && run.python === 0 ? ' (python3 not found)' : ''}; faults ${options.faults.join(', ')} × ${options.rounds}; ` +
      `convergence bound ${run.boundMs / 1000} s; SIGTERM bound ${run.termBoundMs / 1000} s`,
  );

  let results;
  try {
    await setUp(run);
    await writeThroughFaults(run);
    results = await settleAndCheck(run);
  } catch (err) {
    results = [{ name: 'the run completes', ok: false, detail: err?.stack ?? String(err) }];
  }

  if (run.writer) printMeasurements(run);
  printChecks(results);
  if (results.some((r) => !r.ok)) printFailureReport({ ...run, writer: run.writer ?? { serverErrors: [] } });
  await cleanup();
  const passed = results.filter((r) => r.ok).length;
  out(`(${((Date.now() - run.startedAt) / 1000).toFixed(1)} s, seed ${options.seed})`);
  out(`\n${passed} passed, ${results.length - passed} failed`);
  return passed === results.length ? 0 : 1;
};

main().then(
  (code) => process.exit(code),
  async (err) => {
    process.stderr.write(`chaos: ${err?.stack ?? err}\n`);
    await cleanup();
    out('\n0 passed, 1 failed');
    process.exit(1);
  },
);
