// The faults: planned from the seeded PRNG up front (so the seed alone reproduces the plan), then
// carried out one at a time. Each fault ends when what it broke is back: an instance restarted and
// ready, PostgreSQL accepting connections again.
import { sleep } from './proc.mjs';

/** The plan: `rounds` × `kinds` in a seeded order, each with its target and pauses. */
export const planFaults = ({ kinds, rounds, rng, instanceCount }) => {
  const plan = [];
  // Process faults take turns over the instances (from a seeded first one), so every instance and
  // the clients on it go through them even in a short run.
  let nextTarget = rng.between(0, instanceCount - 1);
  for (let round = 0; round < rounds; round++) {
    for (const kind of rng.shuffle(kinds)) {
      plan.push({
        kind,
        round: round + 1,
        target: kind === 'sigkill' || kind === 'sigterm' ? nextTarget++ % instanceCount : undefined,
        // How long the fault lasts where that is ours to choose (down time, frozen time).
        holdMs: kind === 'pg-stop' || kind === 'pg-crash' || kind === 'pg-freeze' ? rng.between(2_000, 5_000) : rng.between(1_000, 3_000),
        gapBeforeMs: rng.between(1_000, 3_000),
      });
    }
  }
  return plan;
};

/**
 * About how long carrying out the plan takes, gaps included, given how long a server takes to
 * start on this machine (3–4 s when idle, far more when loaded): the writer is paced with it.
 */
export const estimatePlanMs = (plan, serverStartMs) => {
  const extra = { sigkill: serverStartMs, sigterm: serverStartMs + 500, 'pg-restart': 1_000, 'pg-stop': 1_000, 'pg-crash': 2_000, 'pg-freeze': 0 };
  return plan.reduce((sum, f) => sum + f.gapBeforeMs + f.holdMs + extra[f.kind], 0);
};

export const describeFault = (fault, instances) => {
  const target = fault.target !== undefined ? ` ${instances[fault.target].name}` : '';
  switch (fault.kind) {
    case 'sigkill':
      return `SIGKILL${target}, restart after ${fault.holdMs} ms`;
    case 'sigterm':
      return `SIGTERM${target}, restart ${fault.holdMs} ms after it exits`;
    case 'pg-restart':
      return 'pg_ctl restart -m fast';
    case 'pg-stop':
      return `PostgreSQL stopped for ${fault.holdMs} ms`;
    case 'pg-crash':
      return `PostgreSQL crashed (pg_ctl stop -m immediate: no checkpoint), down ${fault.holdMs} ms, then crash recovery`;
    case 'pg-freeze':
      return `PostgreSQL frozen (SIGSTOP) for ${fault.holdMs} ms`;
    default:
      return fault.kind;
  }
};

/**
 * Carries out one fault; resolves with its record: start, end and what was measured (the SIGTERM
 * exit time). `termBoundMs` is how long a SIGTERMed instance may take to exit.
 */
export const runFault = async (fault, { postgres, instances, timeline, termBoundMs }) => {
  const record = { ...fault, description: describeFault(fault, instances), start: Date.now() };
  timeline.note(`fault ${fault.round}.${fault.kind}: ${record.description} — start`, 'fault');
  const instance = fault.target !== undefined ? instances[fault.target] : undefined;
  switch (fault.kind) {
    case 'sigkill':
      await instance.kill('SIGKILL fault');
      await sleep(fault.holdMs);
      await instance.start();
      break;
    case 'sigterm': {
      const outcome = await instance.terminate(termBoundMs);
      record.termination = {
        exited: outcome.exited,
        elapsedMs: outcome.elapsedMs,
        boundMs: termBoundMs,
        code: outcome.exit?.code,
        signal: outcome.exit?.signal,
      };
      timeline.note(
        outcome.exited
          ? `${instance.name} exited ${outcome.elapsedMs} ms after SIGTERM (code ${outcome.exit?.code ?? outcome.exit?.signal})`
          : `${instance.name} was still running ${termBoundMs} ms after SIGTERM: SIGKILLed`,
        outcome.exited ? 'info' : 'unexpected',
      );
      await sleep(fault.holdMs);
      await instance.start();
      break;
    }
    case 'pg-restart':
      await postgres.restart();
      break;
    case 'pg-stop':
      await postgres.stop('fast');
      await sleep(fault.holdMs);
      await postgres.start();
      break;
    case 'pg-crash':
      // Every process ends at once without a shutdown checkpoint, as in a power cut or an OOM kill:
      // the start replays the WAL, and every write acknowledged before must still be there.
      await postgres.stop('immediate');
      await sleep(fault.holdMs);
      await postgres.start();
      break;
    case 'pg-freeze':
      record.frozenProcesses = postgres.freeze();
      await sleep(fault.holdMs);
      postgres.thaw();
      break;
    default:
      throw new Error(`unknown fault ${fault.kind}`);
  }
  record.end = Date.now();
  timeline.note(`fault ${fault.round}.${fault.kind}: end (${record.end - record.start} ms)`, 'fault');
  return record;
};
