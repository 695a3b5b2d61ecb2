import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiFuzzer, curlLine, describeCase, formatFinding, MAX_STALL_MS } from './api-fuzzer.js';
import { ServerErrorLog, StallMonitor } from './fuzz-client.js';
import { createFuzzWorld, type FuzzWorld } from './fuzz-world.js';
import { loadOperations, OPENAPI_PATH, type Operation } from './openapi-operations.js';

/**
 * A property-based fuzzer generated from docs/openapi.json (issue 14's standing guard), in three
 * phases: every operation × every kind of credential gets a generated request; every operation
 * gets every kind of attack it can take (NUL and malformed percent-encoding in each path
 * parameter, null in each body field, nesting thousands deep, arrays of 250,000 elements, wrong
 * types, overflowing numbers, prototype keys, lone surrogates, odd query strings); then FUZZ_RUNS
 * random requests mix all of it. Every answer must be free of 5xx, every 4xx in the error format,
 * no request may block the event loop over 100 ms, and /readyz must stay 200. Seeded: FUZZ_SEED
 * reproduces a run; each distinct failure is shrunk and printed as a curl line.
 *
 * `npm test` runs the short run (seed 1414, 1,000 random requests); `npm run fuzz` a long one.
 */

// The short run in `npm test` always uses the same seed; a long run a new one unless FUZZ_SEED says.
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : process.env.FUZZ_RUNS ? Math.floor(Math.random() * 2 ** 31) : 1414;
const RUNS = process.env.FUZZ_RUNS ? Number(process.env.FUZZ_RUNS) : 1000;
if (!Number.isSafeInteger(SEED) || !Number.isSafeInteger(RUNS) || RUNS < 0)
  throw new Error(`FUZZ_SEED and FUZZ_RUNS must be integers (got ${process.env.FUZZ_SEED}, ${process.env.FUZZ_RUNS})`);
// A long run also sends each kind of attack to each operation several times.
const ATTACK_ROUNDS = Math.max(1, Math.floor(RUNS / 1_000));
// A ceiling, not an estimate: defects that stall the server for seconds make a run slow.
const TIMEOUT_MS = Math.max(45 * 60_000, RUNS * 5_000);

/** A 32-bit seed per matrix cell, so every cell is reproducible on its own. */
const cellSeed = (op: Operation, credential: string): number => {
  let h = 0x811c9dc5 ^ SEED;
  for (const ch of `${op.id}|${credential}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  return h | 0;
};

describe(`API fuzzer (seed ${SEED})`, () => {
  let world: FuzzWorld;
  let fuzzer: ApiFuzzer;
  let monitor: StallMonitor;
  const serverErrors = new ServerErrorLog();
  const operations = loadOperations();
  const started = Date.now();

  /** Requests, wall time and CPU time of a phase: on a shared machine the CPU time says what it costs. */
  const measured = async <T>(phase: string, work: () => Promise<T>): Promise<T> => {
    const [requests, wall, cpu] = [fuzzer.requests, Date.now(), process.cpuUsage()];
    try {
      return await work();
    } finally {
      const used = process.cpuUsage(cpu);
      console.log(
        `API fuzzer: ${phase}: ${fuzzer.requests - requests} requests, ${((Date.now() - wall) / 1000).toFixed(1)} s ` +
          `(${((used.user + used.system) / 1e6).toFixed(1)} s CPU)`,
      );
    }
  };

  const report = (title: string, signatures: string[]): string[] => {
    const lines = signatures.map((s) => fuzzer.findings.get(s)!).map(formatFinding);
    if (lines.length)
      console.log(`\n${title}: ${lines.length} distinct failure(s) (seed ${SEED}; set SB and the credential variables to replay)\n${lines.join('\n\n')}\n`);
    return signatures.map((s) => `${s}: ${fuzzer.findings.get(s)!.violation.message.slice(0, 200)}`);
  };

  beforeAll(async () => {
    const [wall, cpu] = [Date.now(), process.cpuUsage()];
    world = await createFuzzWorld();
    const used = process.cpuUsage(cpu);
    console.log(`API fuzzer: server and world ready in ${((Date.now() - wall) / 1000).toFixed(1)} s (${((used.user + used.system) / 1e6).toFixed(1)} s CPU)`);
    serverErrors.install();
    monitor = new StallMonitor();
    fuzzer = new ApiFuzzer(world, operations, monitor, serverErrors);
    console.log(
      `API fuzzer: seed ${SEED}, ${operations.length} operations × ${world.credentials.length} credential kinds, then ${RUNS} random requests ` +
        `(replay: FUZZ_SEED=${SEED})`,
    );
  }, 300_000);

  afterAll(async () => {
    if (fuzzer) {
      const worst = fuzzer.worst;
      console.log(
        [
          `API fuzzer: ${fuzzer.requests} requests in ${((Date.now() - started) / 1000).toFixed(1)} s, seed ${SEED}; ${fuzzer.findings.size} ` +
            `distinct failure(s)`,
          worst
            ? `worst event-loop block: ${Math.round(worst.ms)} ms (limit ${MAX_STALL_MS}) by ${describeCase(worst.fuzzCase)} → ${worst.status}\n  ` +
              `${curlLine(worst.fuzzCase)}`
            : '',
          serverErrors.unattributed.length
            ? `errors logged outside any request (${serverErrors.unattributed.length}):\n  ${[...new Set(serverErrors.unattributed)].slice(0, 20).join('\n  ')}`
            : '',
        ]
          .filter(Boolean)
          .join('\n'),
      );
    }
    monitor?.stop();
    serverErrors.uninstall();
    await world?.close();
  });

  it('fuzzes every operation of the OpenAPI document, and nothing is left out', () => {
    const doc = JSON.parse(fs.readFileSync(OPENAPI_PATH, 'utf8')) as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`));
    expect(documented.length).toBeGreaterThan(80);
    expect(operations.filter((op) => !op.undocumented).map((op) => op.id)).toEqual(documented);
    // Every path parameter has something behind it in the world (an unknown one would only ever be 404s).
    const unpooled = operations.flatMap((op) =>
      op.pathParams.filter((p) => !world.pools[`${op.template.split('/')[op.template.split('/').indexOf(`{${p}}`) - 1]}/{${p}}`]).map((p) => `${op.id}: ${p}`),
    );
    expect(unpooled).toEqual([]);
  });

  it(
    'answers every operation × every credential kind without a 5xx, a malformed error, a blocked event loop or lost readiness',
    async () => {
      const found: string[] = [];
      let cells = 0;
      await measured('every operation × every credential', async () => {
        for (const op of operations) {
          for (const credential of world.credentials) {
            found.push(
              ...(await fuzzer.explore(`matrix cell ${op.id} × ${credential.name}`, fuzzer.cellCase(op, credential), cellSeed(op, credential.name), 1)),
            );
            cells++;
          }
        }
      });
      expect(cells).toBe(operations.length * world.credentials.length);
      expect(report('every operation × every credential', found)).toEqual([]);
    },
    TIMEOUT_MS,
  );

  it(
    'answers every kind of attack on every operation the same way (NUL and malformed path parameters, deep nesting, huge arrays, odd values, odd ' +
      'query strings)',
    async () => {
      const found: string[] = [];
      await measured('every kind of attack on every operation', async () => {
        for (const op of operations) {
          for (const attack of fuzzer.attacks(op)) {
            for (let round = 0; round < ATTACK_ROUNDS; round++) {
              found.push(...(await fuzzer.explore(`attack "${attack.name}" on ${op.id}`, attack.cases, cellSeed(op, `${attack.name}#${round}`), 1)));
            }
          }
        }
      });
      expect(report('every kind of attack on every operation', found)).toEqual([]);
    },
    TIMEOUT_MS,
  );

  it(
    `answers ${RUNS} random adversarial requests the same way`,
    async () => {
      const found = await measured(`${RUNS} random requests`, () => fuzzer.explore('random', fuzzer.anyCase(), SEED, RUNS));
      expect(report(`${RUNS} random requests`, found)).toEqual([]);
    },
    TIMEOUT_MS,
  );

  it('still answers /readyz 200 and serves normally after all of it, and no background job failed on what it stored', async () => {
    const res = await world.t.http.get('/readyz');
    expect(res.status).toBe(200);
    expect((await world.t.http.get('/api/v1/projects/fuzz').set(world.t.admin)).status).toBe(200);
    // Schedulers, relays and webhook deliveries read what the fuzzer stored: their errors are 500s nobody sees.
    expect([...new Set(serverErrors.unattributed)]).toEqual([]);
  });
});
