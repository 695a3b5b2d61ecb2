// Everything the harness starts registers how to undo it here. Cleanup runs once, in reverse
// order, on a normal end, a failure, an uncaught error and Ctrl-C / SIGTERM / SIGHUP; a
// synchronous last resort runs on process exit so no postgres or server is ever left behind.
const steps = [];
let running;

/**
 * Registers an undo step: `undo` (async, the normal way) and optionally `lastResort` (synchronous,
 * for process exit when the async one could not run). Returns a function that unregisters it.
 */
export const onCleanup = (name, undo, lastResort) => {
  const step = { name, undo, lastResort, done: false };
  steps.push(step);
  return () => {
    step.done = true;
  };
};

/** Runs every registered undo step (newest first); each failure is printed, none stops the rest. */
export const cleanup = () => {
  running ??= (async () => {
    for (const step of [...steps].reverse()) {
      if (step.done) continue;
      try {
        await step.undo();
      } catch (err) {
        process.stderr.write(`chaos: cleanup of ${step.name} failed: ${err?.message ?? err}\n`);
      }
      step.done = true;
    }
  })();
  return running;
};

let installed = false;
/** Ctrl-C and friends clean up, then exit with 128 + signal number. */
export const installSignalHandlers = () => {
  if (installed) return;
  installed = true;
  const numbers = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 };
  for (const [signal, number] of Object.entries(numbers)) {
    process.on(signal, () => {
      process.stderr.write(`\nchaos: ${signal}: stopping every process the test started\n`);
      cleanup().finally(() => process.exit(128 + number));
    });
  }
  // A bug in the harness (or an SDK throwing into it) ends the run as a failure, never with a process left behind.
  process.on('uncaughtException', (err) => {
    process.stderr.write(`\nchaos: uncaught ${err?.stack ?? err}\n`);
    cleanup().finally(() => {
      process.stdout.write('\n0 passed, 1 failed\n');
      process.exit(1);
    });
  });
  process.on('exit', () => {
    for (const step of [...steps].reverse()) {
      if (step.done || !step.lastResort) continue;
      try {
        step.lastResort();
      } catch {
        // Nothing more can be done while exiting.
      }
    }
  });
};
