// node bench/apply/run.mjs — applying a large Signalbox file through the public API: a project
// with two environments, N flags (boolean and string, one targeting rule and a rollout each),
// created by one apply, then changed (every config) by a second apply of the re-exported file,
// then applied a third time unchanged (a no-op plan). Against the built server on a fresh embedded
// database (or DATABASE_URL). Figures: wall time of the request and CPU time the server used for it. BENCH_APPLY_FLAGS=500,1000,2000 chooses the sizes.
import path from 'node:path';
import { startServer } from '../lib/server.mjs';

const SIZES = (process.env.BENCH_APPLY_FLAGS ?? '500,1000').split(',').map(Number);
const ENVIRONMENTS = ['staging', 'production'];

const flagOf = (i) => {
  const multivariate = i % 2 === 1;
  const variants = multivariate
    ? [
        { key: 'v1', value: 'model-v1' },
        { key: 'v2', value: 'model-v2' },
      ]
    : [
        { key: 'on', value: true },
        { key: 'off', value: false },
      ];
  const [first, second] = variants.map((v) => v.key);
  const config = (environment) => ({
    on: true,
    offVariant: second,
    targets: [{ variant: first, values: [`user-${i}`] }],
    rules: [{ clauses: [{ attribute: 'plan', op: 'in', values: ['pro', 'enterprise'] }], serve: { variant: first } }],
    defaultRule: {
      rollout: {
        bucketBy: 'targetingKey',
        variants: [
          { variant: first, weight: environment === 'production' ? 10000 : 50000 },
          { variant: second, weight: environment === 'production' ? 90000 : 50000 },
        ],
      },
    },
    prerequisites: [],
  });
  return {
    key: `bench.flag-${String(i).padStart(4, '0')}`,
    name: `Bench flag ${i}`,
    kind: multivariate ? 'string' : 'boolean',
    tags: ['bench'],
    variants,
    environments: Object.fromEntries(ENVIRONMENTS.map((e) => [e, config(e)])),
  };
};

// BENCH_APPLY_MAIN=<path to another build's main.js> measures that build instead (a baseline).
const server = await startServer(process.env.BENCH_APPLY_MAIN ? { main: path.resolve(process.env.BENCH_APPLY_MAIN) } : {});
// Server CPU beside wall time: on a shared machine the wall clock also counts other processes' turns.
const timed = async (label, request) => {
  const started = performance.now();
  const cpuBefore = server.cpuMicros();
  const response = await request();
  const ms = performance.now() - started;
  const cpuMs = (server.cpuMicros() - cpuBefore) / 1000;
  const body = await response.json();
  if (!response.ok) throw new Error(`${label}: ${response.status} ${JSON.stringify(body).slice(0, 500)}`);
  return { ms, cpuMs, body };
};

const results = [];
try {
  for (const size of SIZES) {
    const project = `bench-apply-${size}`;
    const created = await server.admin('/projects', {
      method: 'POST',
      body: JSON.stringify({ key: project, name: project, environments: ENVIRONMENTS.map((key) => ({ key, name: key })) }),
    });
    if (!created.ok) throw new Error(`project: ${created.status} ${await created.text()}`);
    const file = { version: 1, segments: [], flags: Array.from({ length: size }, (_, i) => flagOf(i)) };
    const apply = (f) => () =>
      server.admin(`/projects/${project}/apply`, { method: 'POST', body: JSON.stringify({ file: f, reason: `bench apply of ${size} flags` }) });

    const create = await timed('create', apply(file));
    const exported = await timed('export', () => server.admin(`/projects/${project}/export?format=json`));
    // Every config changes: the rollout moves and each flag gets one more target.
    for (const flag of exported.body.flags)
      for (const config of Object.values(flag.environments)) {
        config.defaultRule.rollout.variants[0].weight += 5000;
        config.defaultRule.rollout.variants[1].weight -= 5000;
        config.targets[0].values.push('bench-user');
      }
    const update = await timed('update', apply(exported.body));
    const noop = await timed('no-op', apply(exported.body));
    const bytes = Buffer.byteLength(JSON.stringify({ file: exported.body, reason: 'x' }));
    results.push({
      flags: size,
      'body KB': Math.round(bytes / 1024),
      'create ms': Math.round(create.ms),
      'create cpu ms': Math.round(create.cpuMs),
      'create changes': create.body.changes.length,
      'update ms': Math.round(update.ms),
      'update cpu ms': Math.round(update.cpuMs),
      'update changes': update.body.changes.length,
      'no-op ms': Math.round(noop.ms),
      'no-op cpu ms': Math.round(noop.cpuMs),
      'no-op changes': noop.body.changes.length,
    });
    console.log(results.at(-1));
  }
} finally {
  await server.stop();
}
console.table(results);
