// What the run prints at the end: the measurements (always), the checks, and, when a check
// failed, everything needed to chase it: seed, fault timeline, the stuck clients, the server
// errors with what the server logged for them, and the tail of every log.
import { percentile } from './checks.mjs';
import { summariseWindow } from './probes.mjs';

const AFTER_FAULT_MS = 5_000;
const MAX_STUCK_SHOWN = 15;
const out = (line = '') => process.stdout.write(`${line}\n`);
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const tally = (items) => {
  const counts = new Map();
  for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
  return [...counts].map(([item, n]) => `${n} ${item}`).join(', ');
};

/** Each fault: how long, what SIGTERM took, the writes sent meanwhile, what /readyz, /metrics and PostgreSQL said. */
const printFaults = ({ faults, writer, probes, timeline }) => {
  for (const fault of faults) {
    const during = (time) => time >= fault.start && time <= fault.end;
    const termination = fault.termination
      ? ` — exited ${fault.termination.exited ? `after ${seconds(fault.termination.elapsedMs)}` : `NOT within ${seconds(fault.termination.boundMs)}`}`
      : '';
    const writes = `writes sent meanwhile: ${writer.acks.filter((a) => during(a.sentAt)).length} acknowledged, ${writer.ambiguous.filter((a) => during(a.time)).length} of unknown fate`;
    out(`fault +${timeline.at(fault.start)}s ${fault.description} (${seconds(fault.end - fault.start)})${termination}; ${writes}`);
    for (const line of summariseWindow(probes, fault.start, fault.end + AFTER_FAULT_MS)) out(`    ${line}`);
  }
};

const printSseReaders = (sseReaders) => {
  for (const reader of sseReaders) {
    const answers = tally(reader.resumes.map((r) => (r.answer.startsWith('failed') ? 'failed' : r.answer))) || '—';
    out(
      `${reader.observed.id}: ${reader.resumes.length} resumes with Last-Event-ID (${reader.drops} after its own drops), answered: ${answers}; ${reader.gaps.length} gaps`,
    );
  }
};

const printConvergence = ({ convergence, clients, db }) => {
  if (!convergence) return;
  const byTransport = new Map();
  for (const client of clients) {
    const time = client.reachedAt(convergence.head);
    if (time === undefined || client.differences(db.flags).length > 0) continue;
    byTransport.set(client.transport, [...(byTransport.get(client.transport) ?? []), Math.max(0, time - convergence.lastFaultEnd)]);
  }
  const describe = (offsetMs) =>
    [...byTransport]
      .map(
        ([t, list]) =>
          `${t} p50 ${seconds(Math.max(0, percentile(list, 50) - offsetMs))} max ${seconds(Math.max(0, Math.max(...list) - offsetMs))} (${list.length})`,
      )
      .join('; ') || 'none';
  const writerLateMs = convergence.writerDoneAt - convergence.lastFaultEnd;
  out(`after the last fault the writer wrote ${convergence.writtenAfter} changes in ${seconds(writerLateMs)}`);
  out(`convergence after the last fault (bound ${seconds(convergence.boundMs)}): ${describe(0)}`);
  // When the writer needed long after the last fault, the figures above are mostly its time.
  if (writerLateMs > 2_000) out(`convergence after the writer's last change: ${describe(writerLateMs)}`);
};

export const printMeasurements = (run) => {
  const { options, writer, faults, startedAt } = run;
  out('\n--- measurements');
  out(`seed ${options.seed}; ${faults.length} faults; run took ${seconds(Date.now() - startedAt)}`);
  const failures = [...writer.failures].map(([kind, n]) => `${n}× ${kind}`).join(', ') || 'none';
  const took = writer.acks.map((a) => a.at - a.sentAt);
  const latency = took.length ? `; an acknowledged write took p50 ${percentile(took, 50)} ms, p99 ${percentile(took, 99)} ms` : '';
  out(
    `writer: ${writer.acks.length} acknowledged, ${writer.ambiguous.length} of unknown fate, ${writer.unacknowledged.length} given up; refused attempts: ${failures}${latency}`,
  );
  printFaults(run);
  printSseReaders(run.sseReaders);
  printConvergence(run);
};

export const printChecks = (results) => {
  out('\n--- checks');
  for (const r of results) out(r.ok ? `✓ ${r.name}${r.detail ? ` — ${r.detail}` : ''}` : `✗ ${r.name}: ${r.detail}`);
};

/** The clients not at the end state (or, if the run stopped early, not ready), with their last events. */
const printStuckClients = ({ clients, db, timeline }) => {
  const stuck = db
    ? clients.filter((c) => c.sequence !== db.head || c.differences(db.flags).length > 0 || c.regressions.length > 0)
    : clients.filter((c) => c.status !== 'ready');
  if (stuck.length === 0) return;
  out(
    db ? `clients not at the database's state (head ${db.head}) or that regressed: ${stuck.length}` : `clients not ready when the run stopped: ${stuck.length}`,
  );
  for (const c of stuck.slice(0, MAX_STUCK_SHOWN)) {
    const diff = db ? c.differences(db.flags) : [];
    out(
      `  ${c.label()}: holds ${c.sequence}${db ? ` vs head ${db.head}` : ''}, status ${c.status}${c.connected ? ', connected' : ''}${diff.length ? `; ${diff.slice(0, 3).join('; ')}` : ''}`,
    );
    const statuses = c.statusHistory
      .slice(-6)
      .map(([t, s]) => `+${timeline.at(t)}s ${s}`)
      .join(', ');
    if (statuses) out(`    status history: ${statuses}`);
    for (const [t, text] of c.events.slice(-5)) out(`    +${timeline.at(t)}s ${text}`);
  }
  if (stuck.length > MAX_STUCK_SHOWN) out(`  … ${stuck.length - MAX_STUCK_SHOWN} more`);
};

/**
 * The writer's 5xx answers: what the servers logged for the unexpected ones (not 503 with
 * Retry-After), tallied by error type, then the first few with their log line.
 */
const printServerErrors = ({ writer, instances, timeline }) => {
  if (writer.serverErrors.length === 0) return;
  const logs = new Map(instances.map((i) => [i.name, i.logLines()]));
  const logLineOf = (e) => {
    const requestId = /"requestId":"([^"]+)"/.exec(e.body ?? '')?.[1];
    return requestId ? logs.get(e.instance)?.find((line) => line.includes(requestId)) : undefined;
  };
  const unexpected = writer.serverErrors.filter((e) => e.status !== 503 || e.retryAfter === null);
  if (unexpected.length) {
    const types = unexpected.map(
      (e) =>
        /"err":\{"type":"([^"]+)","message":"([^"]{0,120})/
          .exec(logLineOf(e) ?? '')
          ?.slice(1)
          .join(': ') ?? 'no log line',
    );
    out(`unexpected server errors the writer got, by what the server logged: ${tally(types)}`);
  }
  const expected = (e) => Number(e.status === 503 && e.retryAfter !== null);
  const errors = [...writer.serverErrors].sort((a, b) => expected(a) - expected(b));
  out('server errors the writer got (first 5, unexpected ones first):');
  for (const e of errors.slice(0, 5)) {
    out(`  +${timeline.at(e.time)}s ${e.instance} ${e.status} retry-after=${e.retryAfter}: ${e.body}`);
    const line = logLineOf(e);
    if (line) out(`      log: ${line.slice(0, 1200)}`);
  }
};

export const printFailureReport = (run) => {
  const { options, timeline, instances, postgres, sseReaders } = run;
  out('\n--- failure report');
  out(`seed ${options.seed} (re-run: node scripts/chaos/run.mjs --${options.mode} --seed ${options.seed})`);
  out('fault timeline:');
  for (const line of timeline.faults()) out(`  ${line}`);
  const unexpected = timeline.entries.filter((e) => e.kind === 'unexpected');
  if (unexpected.length) out('unexpected events:');
  for (const e of unexpected) out(`  [${timeline.at(e.time)}s] ${e.text}`);
  for (const exit of run.exits.filter((e) => !e.causedByHarness)) {
    out(
      `${exit.instance}${exit.generation ? ` #${exit.generation}` : ''} exited by itself (${exit.signal ?? `code ${exit.code}`}) at +${timeline.at(exit.at)}s; its last lines:`,
    );
    for (const line of exit.lastLines ?? exit.output ?? []) out(`  ${line.slice(0, 1200)}`);
  }
  printStuckClients(run);
  for (const reader of sseReaders) {
    const show = (r) => `+${timeline.at(r.time)}s from ${r.from}: ${r.answer}${r.snapshotSequence !== undefined ? ` at ${r.snapshotSequence}` : ''}`;
    const snapshots = reader.resumes.filter((r) => r.answer === 'snapshot');
    if (snapshots.length) out(`${reader.observed.id}, resumes answered with a snapshot: ${snapshots.map(show).join('; ')}`);
    if (reader.resumes.length) out(`${reader.observed.id}, last resumes: ${reader.resumes.slice(-10).map(show).join('; ')}`);
  }
  printServerErrors(run);
  for (const instance of instances) {
    out(`--- ${instance.name} (port ${instance.port}), last lines of its output:`);
    for (const line of instance.tail(25)) out(`  ${line.slice(0, 400)}`);
  }
  if (postgres) {
    out('--- PostgreSQL log, last lines:');
    for (const line of postgres.logTail(15).split('\n')) out(`  ${line}`);
  }
};
