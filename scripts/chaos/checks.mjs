// The checks the run ends with. Each takes the run's findings and returns { name, ok, detail }.
// They judge only what was observed; timings the issue sets as targets are printed, not asserted,
// except where a bound is part of the check (convergence, SIGTERM) and then it is an option.

const first = (list, n = 5) => list.slice(0, n).join('; ') + (list.length > n ? `; … ${list.length - n} more` : '');
const sameValue = (a, b) => a?.version === b?.version && a?.weight === b?.weight;
const show = (v) => (v ? `v${v.version} weight ${v.weight}` : 'nothing');

export const percentile = (values, p) => {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

/** 1. The database (read directly and through the API) reflects every acknowledged write. */
export const noAcknowledgedWriteLost = ({ writer, db, apiStates }) => {
  const problems = [];
  const last = writer.lastAcknowledged();
  for (const [flag, ack] of last) {
    const stored = db.flags.get(flag);
    if (!stored || stored.version < ack.version)
      problems.push(`${flag}: database holds ${show(stored)}, but v${ack.version} weight ${ack.value} was acknowledged by ${ack.instance}`);
    else if (stored.version === ack.version && stored.weight !== ack.value)
      problems.push(`${flag}: database v${stored.version} has weight ${stored.weight}, the acknowledged write of that version set ${ack.value}`);
    else if (stored.version > ack.version && !writer.ambiguous.some((a) => a.flag === flag && a.value === stored.weight)) {
      problems.push(`${flag}: database holds ${show(stored)}, newer than every acknowledged write and not any attempted one`);
    }
  }
  for (const ack of writer.acks) {
    const entries = db.log.get(ack.flag)?.get(ack.version) ?? [];
    if (!entries.some((e) => e.weight === ack.value))
      problems.push(`change ${ack.index} (${ack.flag} v${ack.version} weight ${ack.value}, acknowledged by ${ack.instance}) has no change-log entry`);
  }
  const holes = [];
  for (let s = 1, i = 0; s <= db.head; s++) {
    if (db.sequences[i] === s) i++;
    else holes.push(s);
  }
  if (holes.length > 0) problems.push(`the change log lacks sequences ${first(holes.map(String), 10)} below its head ${db.head}`);
  for (const state of apiStates) {
    if (state.error) problems.push(`could not read the final state through the API: ${state.error}`);
    else
      for (const [flag, value] of db.flags)
        if (!sameValue(state.flags.get(flag), value))
          problems.push(`${state.instance.name}'s API says ${flag} is ${show(state.flags.get(flag))}, the database ${show(value)}`);
  }
  return {
    name: 'no acknowledged write is lost',
    ok: problems.length === 0,
    detail: problems.length
      ? first(problems)
      : `${writer.acks.length} acknowledged writes, ${writer.ambiguous.length} attempts of unknown fate, ${writer.unacknowledged.length} given up; change log 1..${db.head} complete`,
  };
};

/** 2. No client's sequence ever went backwards (SDK events and 50 ms samples, SSE event ids). */
export const noClientRegresses = ({ clients, timeline }) => {
  const regressions = clients.flatMap((c) => c.regressions.map((r) => `${c.label()} ${r.from} → ${r.to} at +${timeline.at(r.time)}s (${r.how})`));
  return { name: 'no client regresses', ok: regressions.length === 0, detail: regressions.length ? first(regressions) : `${clients.length} clients watched` };
};

/** 3. Every client holds the head and exactly the database's flag values, within the bound. */
export const everyClientEqualsDatabase = ({ clients, db, convergence }) => {
  const stuck = clients.filter((c) => c.sequence !== db.head || c.differences(db.flags).length > 0);
  const times = convergence.times;
  const s = (ms) => `${(Math.max(0, ms) / 1000).toFixed(1)} s`;
  const writerLateMs = (convergence.writerDoneAt ?? 0) - convergence.lastFaultEnd;
  // When the writer's own last change came well after the last fault, say how fast clients followed it.
  const afterWrite =
    writerLateMs > 2_000
      ? ` (the writer's last change came ${s(writerLateMs)} after the last fault; after it: p50 ${s(percentile(times, 50) - writerLateMs)}, max ${s(Math.max(...times) - writerLateMs)})`
      : '';
  const stats = times.length
    ? `convergence after the last fault: p50 ${s(percentile(times, 50))}, max ${s(Math.max(...times))}${afterWrite}`
    : 'no client converged';
  if (stuck.length === 0)
    return {
      name: 'every client equals the database at the end',
      ok: true,
      detail: `${clients.length} clients at sequence ${db.head}; ${stats} (bound ${convergence.boundMs / 1000} s)`,
    };
  return {
    name: 'every client equals the database at the end',
    ok: false,
    detail: `${stuck.length} of ${clients.length} clients not at the database's state ${convergence.boundMs / 1000} s after the last fault (head ${db.head}): ${first(
      stuck.map((c) => `${c.label()} at ${c.sequence}, ${c.status}`),
      6,
    )}; ${stats}`,
  };
};

/** 4. /delivery on every instance counts exactly the push connections the harness holds. */
export const deliveryIsExact = ({ delivery }) => ({
  name: '/delivery is exact',
  ok: delivery.ok,
  detail: delivery.detail,
});

/** 5. Every process exit was one the harness caused. */
export const noUnexpectedDeaths = ({ exits }) => {
  const unexpected = exits.filter((e) => !e.causedByHarness);
  return {
    name: 'no process died that the test did not kill',
    ok: unexpected.length === 0,
    detail: unexpected.length
      ? first(unexpected.map((e) => `${e.instance}${e.generation ? ` #${e.generation}` : ''} (pid ${e.pid}) exited with ${e.signal ?? `code ${e.code}`}`))
      : `${exits.length} exits, all caused by the harness`,
  };
};

/** 6. /readyz answers 200 on every instance at the end. */
export const everyInstanceReady = ({ finalReadyz }) => {
  const bad = finalReadyz.filter((r) => r.status !== 200);
  return {
    name: 'every instance is ready at the end (/readyz 200)',
    ok: bad.length === 0,
    detail: bad.length
      ? first(bad.map((r) => `${r.instance}: ${r.status || r.error} ${r.text ?? ''}`.trim()))
      : finalReadyz.map((r) => `${r.instance} 200`).join(', '),
  };
};

/** 7. Each SIGTERMed instance exited within the grace period (+ slack). */
export const sigtermIsBounded = ({ faults }) => {
  const terms = faults.filter((f) => f.termination);
  const late = terms.filter((f) => !f.termination.exited);
  const times = terms.map((f) => `${(f.termination.elapsedMs / 1000).toFixed(1)} s${f.termination.exited ? '' : ' (killed)'}`);
  return {
    name: 'SIGTERM stops an instance within the grace period',
    ok: late.length === 0,
    detail:
      terms.length === 0
        ? 'no SIGTERM in this run'
        : late.length
          ? `${late.length} of ${terms.length} still running ${late[0].termination.boundMs / 1000} s after SIGTERM; exit times ${times.join(', ')}`
          : `exit times ${times.join(', ')} (bound ${terms[0].termination.boundMs / 1000} s)`,
  };
};

/** 8. A resumed SSE stream got the changes it missed, not a snapshot, while the log had them. */
export const sseResumeIsExact = ({ sseReaders, db, timeline }) => {
  const present = new Set(db.sequences);
  const resumes = sseReaders.flatMap((r) => r.resumes.map((resume) => ({ reader: r.observed.id, ...resume })));
  // A snapshot is avoidable when the log held every change from the resume point to it, or when
  // it brings nothing new (its sequence is the one the reader resumed from).
  const violations = resumes.filter((r) => {
    if (r.answer !== 'snapshot' || !(r.snapshotSequence >= r.from)) return false;
    for (let s = r.from + 1; s <= r.snapshotSequence; s++) if (!present.has(s)) return false;
    return true;
  });
  const answered = resumes.filter((r) => r.answer === 'changes' || r.answer === 'snapshot').length;
  return {
    name: 'an SSE resume gets exactly the missed changes',
    ok: violations.length === 0,
    detail: violations.length
      ? first(
          violations.map((v) =>
            v.snapshotSequence === v.from
              ? `${v.reader} resumed from ${v.from} at +${timeline.at(v.time)}s and got a snapshot of that same sequence`
              : `${v.reader} resumed from ${v.from} at +${timeline.at(v.time)}s and got a snapshot at ${v.snapshotSequence} although the log held all ${v.snapshotSequence - v.from} missed changes`,
          ),
        )
      : `${resumes.length} resumes (${answered} answered with data), none answered with an avoidable snapshot`,
  };
};

/** 9. While the database is away the API says 503 with Retry-After, not 500. */
export const outageAnswersAre503 = ({ writer }) => {
  const bad = writer.serverErrors.filter((e) => e.status !== 503 || e.retryAfter === null);
  const kinds = new Map();
  for (const e of bad)
    kinds.set(
      `${e.status}${e.status === 503 ? ' without Retry-After' : ''}`,
      (kinds.get(`${e.status}${e.status === 503 ? ' without Retry-After' : ''}`) ?? 0) + 1,
    );
  return {
    name: 'outage answers are 503 with Retry-After, never 500',
    ok: bad.length === 0,
    detail: bad.length
      ? `the writer got ${[...kinds].map(([k, n]) => `${n}× ${k}`).join(', ')}; e.g. ${bad[0].instance}: ${bad[0].body}`
      : `${writer.serverErrors.length} answers of 5xx, all 503 with Retry-After`,
  };
};

/** 10. Each instance holds exactly one LISTEN session at the end. */
export const oneListenSessionEach = ({ finalListen }) => {
  if (finalListen.error) return { name: 'every instance holds one LISTEN session at the end', ok: false, detail: `could not count: ${finalListen.error}` };
  const wrong = Object.entries(finalListen.byInstance).filter(([, n]) => n !== 1);
  const text = Object.entries(finalListen.byInstance)
    .map(([name, n]) => `${name}: ${n}`)
    .join(', ');
  return {
    name: 'every instance holds one LISTEN session at the end',
    ok: wrong.length === 0,
    detail: `${text}${finalListen.unattributed ? ` (+${finalListen.unattributed} not attributable)` : ''}`,
  };
};

/** 11. Both instances started together on the fresh database. */
export const instancesStartTogether = ({ startFailures }) => ({
  name: 'the instances start together on a fresh database',
  ok: startFailures.length === 0,
  detail: startFailures.length ? first(startFailures.map((f) => `${f.instance}: ${f.error.replace(/\s+/g, ' ').slice(0, 400)}`)) : 'both ready',
});

export const ALL_CHECKS = [
  noAcknowledgedWriteLost,
  noClientRegresses,
  everyClientEqualsDatabase,
  deliveryIsExact,
  noUnexpectedDeaths,
  everyInstanceReady,
  sigtermIsBounded,
  sseResumeIsExact,
  outageAnswersAre503,
  oneListenSessionEach,
  instancesStartTogether,
];
