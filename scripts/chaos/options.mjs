// Command-line options of scripts/chaos/run.mjs: a preset (--short or --long) and overrides.
import { randomSeed } from './prng.mjs';

export const FAULT_KINDS = ['sigkill', 'sigterm', 'pg-restart', 'pg-stop', 'pg-crash', 'pg-freeze'];

const PRESETS = {
  // In npm test: seeded, one of each fault but the freeze, well under two minutes.
  short: {
    changes: 150,
    sockets: 10,
    pollers: 2,
    sseReaders: 1,
    python: 1,
    flags: 4,
    faults: ['sigkill', 'sigterm', 'pg-restart', 'pg-stop', 'pg-crash'],
    rounds: 1,
    writers: 2,
    writeIntervalMs: 60,
    tail: 15,
    convergenceBoundMs: 30_000,
  },
  // npm run chaos: the run, every fault kind, several rounds.
  long: {
    changes: 1000,
    sockets: 50,
    pollers: 3,
    sseReaders: 1,
    python: 2,
    flags: 8,
    faults: FAULT_KINDS,
    rounds: 3,
    writers: 3,
    writeIntervalMs: 60,
    tail: 50,
    // Unset: 10 s + the SDK's longest reconnection delay + 5 s of slack (computed in run.mjs).
    convergenceBoundMs: undefined,
  },
};

const USAGE = `usage: node scripts/chaos/run.mjs (--short | --long) [options]
  --seed N                  PRNG seed (default: random, printed)
  --changes N               versioned changes to write
  --sockets N --pollers N   TypeScript SDK clients over socket.io / HTTP polling
  --sse N                   harness SSE readers
  --sse-drop-every-ms N     the SSE readers also cut their own stream about this often, to resume
                            while changes are written (default 5000; 0: never)
  --python N                Python SDK clients (0: none; skipped without python3)
  --flags N                 flags the changes spread over
  --faults a,b,...          fault kinds per round (${FAULT_KINDS.join(', ')})
  --rounds N                rounds of those faults (each round in a seeded order)
  --writers N               concurrent writers
  --write-interval-ms N     pause between a writer's changes
  --convergence-bound-ms N  how long after the last fault every client may take to equal the database
  --poll-interval-ms N      the polling clients' interval (default 2000; the SDK's own default is 15000)
  --reconnect-max-ms N      override the SDKs' longest reconnection delay (default: the SDKs' own)
  --shutdown-grace-ms N     SIGNALBOX_SHUTDOWN_GRACE_MS for the servers (default: unset, the server's 10 s)
  --term-slack-ms N         how much past the grace period a SIGTERMed instance may take (default 5000)
  --keep                    keep the run directory (instance logs) after the run
  --verbose                 print the whole timeline as it happens`;

const INTEGER_OPTIONS = {
  '--seed': 'seed',
  '--changes': 'changes',
  '--sockets': 'sockets',
  '--pollers': 'pollers',
  '--sse': 'sseReaders',
  '--sse-drop-every-ms': 'sseDropEveryMs',
  '--python': 'python',
  '--flags': 'flags',
  '--rounds': 'rounds',
  '--writers': 'writers',
  '--write-interval-ms': 'writeIntervalMs',
  '--convergence-bound-ms': 'convergenceBoundMs',
  '--poll-interval-ms': 'pollIntervalMs',
  '--reconnect-max-ms': 'reconnectMaxMs',
  '--shutdown-grace-ms': 'shutdownGraceMs',
  '--term-slack-ms': 'termSlackMs',
};

export const parseOptions = (argv) => {
  const fail = (message) => {
    throw Object.assign(new Error(`${message}\n${USAGE}`), { usage: true });
  };
  let mode;
  const overrides = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--short' || arg === '--long') mode = arg.slice(2);
    else if (arg === '--keep') overrides.keep = true;
    else if (arg === '--verbose') overrides.verbose = true;
    else if (arg === '--help' || arg === '-h') fail('');
    else if (arg === '--faults') {
      const kinds = (argv[++i] ?? '').split(',').filter(Boolean);
      const unknown = kinds.filter((k) => !FAULT_KINDS.includes(k));
      if (kinds.length === 0 || unknown.length > 0) fail(`--faults: unknown kind ${unknown.join(', ') || '(none)'}`);
      overrides.faults = kinds;
    } else if (INTEGER_OPTIONS[arg]) {
      const value = Number(argv[++i]);
      if (!Number.isSafeInteger(value) || value < 0) fail(`${arg} needs a whole number ≥ 0`);
      overrides[INTEGER_OPTIONS[arg]] = value;
    } else fail(`unknown argument ${arg}`);
  }
  if (!mode) fail('choose --short or --long');
  const options = {
    mode,
    seed: randomSeed(),
    pollIntervalMs: 2_000,
    sseDropEveryMs: 5_000,
    termSlackMs: 5_000,
    keep: false,
    verbose: false,
    ...PRESETS[mode],
    ...overrides,
  };
  if (options.changes < options.tail + 1) options.tail = Math.max(1, Math.floor(options.changes / 5));
  if (options.flags < 1) fail('--flags must be at least 1');
  return options;
};
